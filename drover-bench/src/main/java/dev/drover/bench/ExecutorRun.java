package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.sim.NodeSimulator;
import dev.drover.sim.SimStats;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The executor phase: Drover runs {@code --tasks} tasks end to end on the simulated nodes while the
 * bench's own watch notes each pod's moments. It waits for every result (up to the timeout), then for
 * every pod to be deleted, closes Drover so its watches are counted, and reads the meters it started
 * before the first submit: CPU, the apiserver's /metrics and audit log, the simulator's writes.
 */
final class ExecutorRun {
    /** What the phase measured; {@link ExecutorThroughput} and {@link TaskLatency} make figures of it. */
    record Outcome(
            Map<String, TaskLatency.TaskTimes> times,
            long firstSubmit,
            long submitEnd,
            long lastCommit,
            int maxInFlight,
            List<ExecutorReport.Sample> timeline,
            CpuMeter.Usage cpu,
            Map<String, Double> benchCpuByThreadGroup,
            Map<ExecutorApiCounts.Key, Long> metricsDelta,
            Map<String, Map<ExecutorApiCounts.Key, Long>> audit,
            Map<String, ExecutorStats.Percentiles> apiServerTimeMs,
            Map<String, Long> simulatorWrites) {}

    private static final List<String> SIM_WRITES = List.of("binding", "status", "event", "event-patch", "delete");

    private final ExecutorBench.Options o;
    private final Progress progress;

    ExecutorRun(ExecutorBench.Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    /** {@code rawNamespace}: its audit lines join the apiserver's time per request. */
    Outcome run(
            TestGround ground,
            NodeSimulator sim,
            CpuMeter cpu,
            ExecutorPodWatch watch,
            TaskStore store,
            KubeHttp metricsHttp,
            String ns,
            String rawNamespace,
            Supplier<TaskSpec> spec)
            throws Exception {
        Config execConfig = new ConfigBuilder(ground.adminConfig())
                .withUserAgent(ExecutorBench.UA_EXECUTOR)
                .build();
        Map<String, TaskLatency.TaskTimes> times = new ConcurrentHashMap<>();
        AtomicInteger committed = new AtomicInteger();
        AtomicLong submitted = new AtomicLong();
        SimStats simBefore = sim.stats();
        Map<ExecutorApiCounts.Key, Long> metricsBefore = ExecutorApiCounts.scrape(metricsHttp);
        long auditOffset = ExecutorApiCounts.auditOffset(ground.auditLog());
        CpuMeter.Reading cpu0 = cpu.read();
        Map<String, Long> threads0 = CpuMeter.threadCpuByGroup();
        long firstSubmit;
        long submitEnd;
        long lastCommit;
        int maxInFlight;
        List<ExecutorReport.Sample> timeline;
        Drover drover = Drover.builder(execConfig, store)
                .schedulerId("bench-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                .parallelism(o.parallelism())
                .launchRate(o.launchQps(), o.concurrency())
                .tick(Duration.ofMillis(o.tickMs()))
                .podFinalizer(o.resultsOn())
                .archiveLogs(o.resultsOn())
                .build()
                .start();
        try {
            progress.say(
                    "executor: %,d tasks into %s (parallelism %d, launch %.0f/s with %d in flight, store %s, finalizer +"
                            + " log archiving %s)",
                    o.tasks(), ns, o.parallelism(), o.launchQps(), o.concurrency(), o.store(), o.results());
            try (InFlightSampler sampler = new InFlightSampler(
                    drover::inFlight,
                    (t, inFlight) -> new ExecutorReport.Sample(
                            t, submitted.get(), watch.added(), watch.terminal(), committed.get(), inFlight))) {
                firstSubmit = System.nanoTime();
                TaskSubmitter.submit(
                        drover, spec, o.tasks(), o.submitThreads(), o.submitBatch(), "bench-submit-", (at, hs) -> {
                            for (TaskHandle h : hs) {
                                TaskLatency.TaskTimes tt = new TaskLatency.TaskTimes();
                                tt.submit = at;
                                tt.id = h.id();
                                times.put(h.id(), tt);
                                h.onStateChange(tt::on);
                                h.result().whenComplete((t, e) -> {
                                    if (t != null) {
                                        tt.on(t); // no-op when the listener saw it (the usual case)
                                    }
                                    committed.incrementAndGet();
                                });
                            }
                            submitted.addAndGet(hs.size());
                        });
                submitEnd = System.nanoTime();
                progress.say(
                        "  submitted %,d in %.1f s (%.0f/s)",
                        o.tasks(), (submitEnd - firstSubmit) / 1e9, o.tasks() / ((submitEnd - firstSubmit) / 1e9));
                lastCommit = awaitResults(drover, watch, times, committed, firstSubmit);
                // Cleanup settles: every pod the executor made is deleted (its delete plus the simulator's).
                long podsMade = watch.added();
                awaitQuietly(
                        "pods deleted after their results",
                        Duration.ofSeconds(60 + podsMade / 50),
                        () -> watch.deleted() >= watch.added());
                sampler.close();
                maxInFlight = sampler.maxInFlight();
                timeline = sampler.timeline();
            }
        } finally {
            drover.close(); // ends the executor's watches, so /metrics counts them
        }
        Thread.sleep(1000); // let the audit log take the last lines
        CpuMeter.Usage used = cpu.since(cpu0);
        Map<String, Long> threads1 = CpuMeter.threadCpuByGroup();
        Map<ExecutorApiCounts.Key, Long> metricsAfter = ExecutorApiCounts.scrape(metricsHttp);
        SimStats simAfter = sim.stats();
        Map<String, List<Long>> serverTimes = new TreeMap<>();
        Map<String, Map<ExecutorApiCounts.Key, Long>> audit =
                ExecutorApiCounts.audit(ground.auditLog(), auditOffset, ns, ExecutorRequests::clientOf, serverTimes);
        ExecutorApiCounts.audit(ground.auditLog(), 0, rawNamespace, ExecutorRequests::clientOf, serverTimes);
        Map<String, ExecutorStats.Percentiles> serverPercentiles = new LinkedHashMap<>();
        serverTimes.forEach((k, v) -> serverPercentiles.put(k, TaskLatency.percentiles(v)));
        Map<String, Long> simWrites = new LinkedHashMap<>();
        for (String kind : SIM_WRITES) {
            simWrites.put(kind, simAfter.writes(kind) - simBefore.writes(kind));
        }
        simWrites.put("retries", simAfter.retries() - simBefore.retries());
        simWrites.put("failures", simAfter.failures() - simBefore.failures());
        return new Outcome(
                times,
                firstSubmit,
                submitEnd,
                lastCommit,
                maxInFlight,
                timeline,
                used,
                CpuMeter.threadCpuDelta(threads0, threads1),
                ExecutorApiCounts.delta(metricsBefore, metricsAfter),
                audit,
                serverPercentiles,
                simWrites);
    }

    /** Waits for every result up to the timeout; returns the last commit's nanoTime (now on a timeout). */
    private long awaitResults(
            Drover drover,
            ExecutorPodWatch watch,
            Map<String, TaskLatency.TaskTimes> times,
            AtomicInteger committed,
            long firstSubmit)
            throws InterruptedException {
        long deadline = firstSubmit + Duration.ofSeconds(o.timeoutSeconds()).toNanos();
        long lastSay = 0;
        while (committed.get() < o.tasks() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            if (System.nanoTime() - lastSay > 5_000_000_000L) {
                lastSay = System.nanoTime();
                progress.say(
                        "  %,d / %,d done, %d in flight, pods seen %,d, terminal seen %,d, load %.1f",
                        committed.get(),
                        o.tasks(),
                        drover.inFlight(),
                        watch.added(),
                        watch.terminal(),
                        ExecutorStats.loadAverage());
            }
        }
        if (committed.get() < o.tasks()) {
            progress.say(
                    "  TIMEOUT after %s: %,d of %,d tasks finished; reporting what finished",
                    Duration.ofSeconds(o.timeoutSeconds()), committed.get(), o.tasks());
            return System.nanoTime();
        }
        return times.values().stream().mapToLong(t -> t.committed).max().orElse(System.nanoTime());
    }

    private void awaitQuietly(String what, Duration max, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                progress.say("  gave up waiting for %s after %s", what, max);
                return;
            }
            Thread.sleep(200);
        }
    }
}
