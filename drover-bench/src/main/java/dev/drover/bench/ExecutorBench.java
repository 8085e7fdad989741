package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.sim.SimStats;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * The executor benchmark: on a private test ground with a LEAN node simulator, first the raw create
 * rate of the apiserver for the executor's own pods (the limit), then Drover running the same number
 * of tasks end to end; throughput against the limit, the latency from a pod's terminal status to the
 * task's committed state, and the API requests per task as the apiserver counted them.
 */
final class ExecutorBench {
    static final String UA_EXECUTOR = "drover-bench-executor";
    static final String UA_SIM = "drover-bench-sim";
    static final String UA_WATCH = "drover-bench-watch";
    static final String UA_RAW = "drover-bench-raw";
    static final String RAW_OWNER = "raw-bench";
    static final String LATENCY_DEFINITION = "terminal status seen by the benchmark's own plain watch of the"
            + " namespace (first event with phase Succeeded/Failed, System.nanoTime on the watch thread) ->"
            + " TaskHandle.onStateChange with the terminal state (called right after the store transition"
            + " committed), same JVM";

    /** What to run. */
    record Options(
            int tasks,
            String run,
            int nodes,
            int concurrency,
            int parallelism,
            double launchQps,
            int rawPods,
            List<ExecutorRawCreates.Client> rawClients,
            String store,
            int submitThreads,
            int submitBatch,
            long tickMs,
            int maxRequestsInflight,
            int maxMutatingRequestsInflight,
            long timeoutSeconds,
            boolean bare,
            boolean launchOnly) {}

    /** The machine while the run went on. */
    record Environment(
            int cores,
            String java,
            String startedAt,
            double loadAtStart,
            double loadBeforeExecutor,
            double loadAtEnd,
            double groundStartSeconds) {}

    /** The executor phase. */
    record ExecutorResult(
            int tasks,
            long succeeded,
            long failed,
            long notFinished,
            double submitSeconds,
            double submitsPerSecond,
            double wallSeconds,
            double tasksPerSecond,
            double launchSeconds,
            double launchesPerSecond,
            double limitCreatesPerSecond,
            double launchRatio,
            double bareTasksPerSecond,
            double bareRatio,
            double launchOnlyPerSecond,
            double launchOnlyRatio,
            double firstSlotsLaunchesPerSecond,
            double peakLaunchesPerSecond5s,
            int maxInFlight,
            double benchCpuSeconds,
            double apiServerCpuSeconds,
            double etcdCpuSeconds) {}

    /** Latency from terminal status to committed state; {@code negative}: commit before our watch saw it. */
    /**
     * Latency from terminal status to committed state; {@code negative}: commit before our watch saw
     * it; {@code slowBySecond}: commits over 250 ms by the second of the run their status came in
     * (the ten busiest seconds), to tell a steady tail from a few stalls.
     */
    record Latency(
            String definition,
            ExecutorStats.Percentiles terminalToCommit,
            long negative,
            long missing,
            Map<Long, Long> slowBySecond) {}

    /** A row of request counts. */
    record ApiRow(String client, String verb, String resource, String subresource, String code, long count) {}

    /** The executor's requests per task, from the audit log (both of its clients, its namespace only). */
    record PerTask(
            long creates,
            long patches,
            long deletes,
            long gets,
            long lists,
            long watches,
            long other,
            double createsPerTask,
            double patchesPerTask,
            double deletesPerTask,
            double getsPerTask,
            double listsPerTask) {}

    record Goal(String what, String measured, String goal, boolean met) {}

    /** One second of the executor phase. */
    record Sample(double t, long submitted, long podsSeen, long terminalSeen, long committed, int inFlight) {}

    record Report(
            Options options,
            Environment environment,
            List<ExecutorRawCreates.Result> raw,
            ExecutorBareLifecycle.Result bare,
            ExecutorLaunchOnly.Result launchOnly,
            Map<String, Double> cpuMsPerPod,
            ExecutorResult executor,
            Latency latency,
            Map<String, ExecutorStats.Percentiles> stages,
            PerTask perTask,
            List<ApiRow> metricsDelta,
            List<ApiRow> auditByClient,
            Map<String, Long> simulatorWrites,
            List<Goal> goals,
            List<Sample> timeline,
            Map<String, Long> benchWatch,
            Map<String, Double> benchCpuByThreadGroup,
            Map<String, ExecutorStats.Percentiles> apiServerTimeMs) {}

    /** What the benchmark records of one task; nanoTime, 0 while not seen. */
    static final class TaskTimes {
        volatile String id;
        volatile long submit;
        volatile long launching;
        volatile long running;
        volatile long committed;
        volatile TaskState state;

        void on(Task t) {
            long now = System.nanoTime();
            switch (t.state()) {
                case LAUNCHING -> {
                    if (launching == 0) {
                        launching = now;
                    }
                }
                case RUNNING -> {
                    if (running == 0) {
                        running = now;
                    }
                }
                default -> {
                    if (t.state().isTerminal() && committed == 0) {
                        committed = now;
                        state = t.state();
                    }
                }
            }
        }
    }

    private final Options o;
    private final Progress progress;

    ExecutorBench(Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    Report run() throws Exception {
        double loadAtStart = ExecutorStats.loadAverage();
        String startedAt = Instant.now().toString();
        long g0 = System.nanoTime();
        progress.say(
                "executor bench: %,d tasks (run=%s), %d LEAN nodes, %d creates in flight; starting a test ground",
                o.tasks(), o.run(), o.nodes(), o.concurrency());
        TestGround.Builder gb = TestGround.builder().auditLog(true);
        if (o.maxRequestsInflight() > 0) {
            gb.apiServerFlag("--max-requests-inflight=" + o.maxRequestsInflight());
        }
        if (o.maxMutatingRequestsInflight() > 0) {
            gb.apiServerFlag("--max-mutating-requests-inflight=" + o.maxMutatingRequestsInflight());
        }
        try (TestGround ground = gb.build().start()) {
            double groundSeconds = (System.nanoTime() - g0) / 1e9;
            return onGround(ground, groundSeconds, loadAtStart, startedAt);
        }
    }

    private Report onGround(TestGround ground, double groundSeconds, double loadAtStart, String startedAt)
            throws Exception {
        String rawNs = ground.createNamespace("raw");
        String execNs = ground.createNamespace("exec");
        String bareNs = ground.createNamespace("bare");
        String launchNs = ground.createNamespace("launch");
        Config admin = ground.adminConfig();
        Config simConfig = new ConfigBuilder(admin).withUserAgent(UA_SIM).build();
        Path storeDir = Files.createTempDirectory("drover-bench-store-");
        try (KubernetesClient simClient =
                        new KubernetesClientBuilder().withConfig(simConfig).build();
                KubeHttp rawHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), UA_RAW + "-http");
                KubeHttp watchHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), UA_WATCH);
                NodeSimulator sim = NodeSimulator.builder(simClient)
                        .nodes(o.nodes())
                        .nodeNamePrefix("bench-")
                        .namespaces(List.of(bareNs, execNs)) // raw and launch-only pods stay Pending
                        .fidelity(Fidelity.LEAN)
                        .build()
                        .start()) {
            ProcessCpu servers = ProcessCpu.of(ground);

            // --- the limit: raw creates of the same pods ---
            List<ExecutorRawCreates.Result> raw = new ArrayList<>();
            Map<String, Double> cpuMsPerPod = new LinkedHashMap<>();
            for (ExecutorRawCreates.Client c : o.rawClients()) {
                progress.say(
                        "raw creates with %s: %,d pods into %s, %d in flight", c, o.rawPods(), rawNs, o.concurrency());
                ProcessCpu.Snapshot before = servers.snapshot();
                long jvmBefore = processCpuNanos();
                ExecutorRawCreates.Result r;
                // The same observer as in the launch-only run watches these pods, so both pay for it.
                try (ExecutorPodWatch observer = new ExecutorPodWatch(watchHttp, rawNs).start()) {
                    r = ExecutorRawCreates.run(
                            c, admin, rawHttp, rawNs, () -> spec(rawNs), o.rawPods(), o.concurrency(), progress);
                }
                ProcessCpu.Snapshot after = servers.snapshot();
                // includes the warm-up creates
                cpuMsPerPod.put(
                        "kube-apiserver, raw create (" + c + ")",
                        (after.apiServerSeconds() - before.apiServerSeconds()) * 1000 / r.pods());
                cpuMsPerPod.put(
                        "bench JVM, raw create (" + c + ", + observer)",
                        (processCpuNanos() - jvmBefore) / 1e6 / r.pods());
                progress.say(
                        "  %s: %.1f creates/s (%.1f s, %d retried); CPU per pod: kube-apiserver %.2f ms, bench JVM %.2f ms",
                        c,
                        r.createsPerSecond(),
                        r.seconds(),
                        r.retried(),
                        cpuMsPerPod.get("kube-apiserver, raw create (" + c + ")"),
                        cpuMsPerPod.get("bench JVM, raw create (" + c + ", + observer)"));
                raw.add(r);
            }
            double limit = raw.stream()
                    .mapToDouble(ExecutorRawCreates.Result::createsPerSecond)
                    .max()
                    .orElse(Double.NaN);

            // --- Drover's launch path under the raw creates' conditions ---
            ExecutorLaunchOnly.Result launchOnly = null;
            if (o.launchOnly()) {
                progress.say(
                        "launch only: %,d tasks into %s (no simulator there), parallelism %,d, %d creates at once",
                        o.tasks(), launchNs, o.tasks(), o.concurrency());
                Path launchStoreDir = Files.createTempDirectory("drover-bench-launch-");
                ProcessCpu.Snapshot before = servers.snapshot();
                long jvmBefore = processCpuNanos();
                try (TaskStore launchStore = openStore(launchStoreDir)) {
                    launchOnly = ExecutorLaunchOnly.run(
                            new ConfigBuilder(admin).withUserAgent(UA_EXECUTOR).build(),
                            watchHttp,
                            launchNs,
                            () -> spec(launchNs),
                            launchStore,
                            o.tasks(),
                            o.launchQps(),
                            o.concurrency(),
                            o.submitThreads(),
                            o.submitBatch(),
                            Duration.ofMillis(o.tickMs()),
                            progress);
                } finally {
                    deleteTree(launchStoreDir);
                }
                ProcessCpu.Snapshot after = servers.snapshot();
                long jvmAfter = processCpuNanos();
                // both include the untimed warm-up tasks and the informers' start
                cpuMsPerPod.put(
                        "kube-apiserver, launch only",
                        (after.apiServerSeconds() - before.apiServerSeconds()) * 1000 / o.tasks());
                cpuMsPerPod.put("bench JVM, launch only (Drover + observer)", (jvmAfter - jvmBefore) / 1e6 / o.tasks());
                progress.say(
                        "  launch only: %.1f launches/s (%.1f s; submitting took %.1f s); CPU per launch: kube-apiserver"
                                + " %.2f ms, bench JVM %.2f ms",
                        launchOnly.launchesPerSecond(),
                        launchOnly.seconds(),
                        launchOnly.submitSeconds(),
                        cpuMsPerPod.get("kube-apiserver, launch only"),
                        cpuMsPerPod.get("bench JVM, launch only (Drover + observer)"));
            }

            // --- the limit for whole tasks: create, simulator, delete, nothing else ---
            ExecutorBareLifecycle.Result bare = null;
            if (o.bare()) {
                progress.say(
                        "bare lifecycles: %,d pods into %s, %d in flight, %d creates at once, delete when terminal",
                        o.tasks(), bareNs, o.parallelism(), o.concurrency());
                bare = ExecutorBareLifecycle.run(
                        rawHttp,
                        watchHttp,
                        bareNs,
                        () -> spec(bareNs),
                        o.tasks(),
                        o.parallelism(),
                        o.concurrency(),
                        servers,
                        progress);
                progress.say("  bare: %.1f tasks/s (%.1f s)", bare.tasksPerSecond(), bare.seconds());
                cpuMsPerPod.put("kube-apiserver, bare lifecycle", bare.apiServerCpuMsPerTask());
                cpuMsPerPod.put("etcd, bare lifecycle", bare.etcdCpuMsPerTask());
                cpuMsPerPod.put("bench JVM, bare lifecycle (simulator + plain client)", bare.benchCpuMsPerTask());
            }

            // --- the executor ---
            double loadBeforeExecutor = ExecutorStats.loadAverage();
            try (ExecutorPodWatch watch = new ExecutorPodWatch(watchHttp, execNs).start();
                    TaskStore store = openStore(storeDir)) {
                return executorPhase(
                        ground,
                        sim,
                        servers,
                        watch,
                        store,
                        watchHttp,
                        execNs,
                        rawNs,
                        raw,
                        bare,
                        launchOnly,
                        cpuMsPerPod,
                        limit,
                        new Environment(
                                Runtime.getRuntime().availableProcessors(),
                                Runtime.version().toString(),
                                startedAt,
                                loadAtStart,
                                loadBeforeExecutor,
                                Double.NaN,
                                groundSeconds));
            }
        } finally {
            deleteTree(storeDir);
        }
    }

    private Report executorPhase(
            TestGround ground,
            NodeSimulator sim,
            ProcessCpu servers,
            ExecutorPodWatch watch,
            TaskStore store,
            KubeHttp metricsHttp,
            String ns,
            String rawNamespace,
            List<ExecutorRawCreates.Result> raw,
            ExecutorBareLifecycle.Result bare,
            ExecutorLaunchOnly.Result launchOnly,
            Map<String, Double> cpuMsPerPod,
            double limit,
            Environment env)
            throws Exception {
        Config execConfig = new ConfigBuilder(ground.adminConfig())
                .withUserAgent(UA_EXECUTOR)
                .build();
        Map<String, TaskTimes> times = new ConcurrentHashMap<>();
        AtomicInteger committed = new AtomicInteger();
        AtomicLong submitted = new AtomicLong();
        SimStats simBefore = sim.stats();
        Map<ExecutorApiCounts.Key, Long> metricsBefore = ExecutorApiCounts.scrape(metricsHttp);
        long auditOffset = ExecutorApiCounts.auditOffset(ground.auditLog());
        long cpu0 = processCpuNanos();
        Map<String, Long> threads0 = threadCpuByGroup();
        ProcessCpu.Snapshot servers0 = servers.snapshot();
        List<Sample> timeline = new ArrayList<>();
        int[] maxInFlight = {0};
        long firstSubmit;
        long submitEnd;
        long lastCommit;
        Drover drover = Drover.builder(execConfig, store)
                .schedulerId("bench-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                .parallelism(o.parallelism())
                .launchRate(o.launchQps(), o.concurrency())
                .tick(Duration.ofMillis(o.tickMs()))
                .build()
                .start();
        try {
            progress.say(
                    "executor: %,d tasks into %s (parallelism %d, launch %.0f/s with %d in flight, store %s)",
                    o.tasks(), ns, o.parallelism(), o.launchQps(), o.concurrency(), o.store());
            // sampler: in-flight maximum (every 100 ms) and a one-second timeline
            long t0 = System.nanoTime();
            Thread sampler = Thread.ofPlatform().daemon().name("bench-sampler").start(() -> {
                long nextSample = t0;
                while (!Thread.currentThread().isInterrupted()) {
                    int inFlight = drover.inFlight();
                    maxInFlight[0] = Math.max(maxInFlight[0], inFlight);
                    long now = System.nanoTime();
                    if (now >= nextSample) {
                        synchronized (timeline) {
                            timeline.add(new Sample(
                                    Math.round((now - t0) / 1e8) / 10.0,
                                    submitted.get(),
                                    watch.added(),
                                    watch.terminal(),
                                    committed.get(),
                                    inFlight));
                        }
                        nextSample += 1_000_000_000L;
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            firstSubmit = System.nanoTime();
            AtomicInteger next = new AtomicInteger();
            List<Thread> submitters = new ArrayList<>();
            List<Throwable> submitFailures = new ArrayList<>();
            for (int s = 0; s < o.submitThreads(); s++) {
                submitters.add(Thread.ofPlatform().name("bench-submit-" + s).start(() -> {
                    int batch = Math.max(1, o.submitBatch());
                    int from;
                    while ((from = next.getAndAdd(batch)) < o.tasks()) {
                        int n = Math.min(batch, o.tasks() - from);
                        try {
                            long at = System.nanoTime();
                            List<TaskHandle> hs = n == 1 && batch == 1
                                    ? List.of(drover.submit(spec(ns)))
                                    : drover.submitAll(java.util.Collections.nCopies(n, spec(ns)));
                            for (TaskHandle h : hs) {
                                TaskTimes tt = new TaskTimes();
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
                            submitted.addAndGet(n);
                        } catch (RuntimeException e) {
                            synchronized (submitFailures) {
                                submitFailures.add(e);
                            }
                            return;
                        }
                    }
                }));
            }
            for (Thread t : submitters) {
                t.join();
            }
            submitEnd = System.nanoTime();
            if (!submitFailures.isEmpty()) {
                throw new IllegalStateException("submitting failed: " + submitFailures.get(0), submitFailures.get(0));
            }
            progress.say(
                    "  submitted %,d in %.1f s (%.0f/s)",
                    o.tasks(), (submitEnd - firstSubmit) / 1e9, o.tasks() / ((submitEnd - firstSubmit) / 1e9));
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
            lastCommit =
                    times.values().stream().mapToLong(t -> t.committed).max().orElse(System.nanoTime());
            if (committed.get() < o.tasks()) {
                progress.say(
                        "  TIMEOUT after %s: %,d of %,d tasks finished; reporting what finished",
                        Duration.ofSeconds(o.timeoutSeconds()), committed.get(), o.tasks());
                lastCommit = System.nanoTime();
            }
            // Cleanup settles: every pod the executor made is deleted (its delete plus the simulator's).
            long podsMade = watch.added();
            awaitQuietly(
                    "pods deleted after their results",
                    Duration.ofSeconds(60 + podsMade / 50),
                    () -> watch.deleted() >= watch.added());
            sampler.interrupt();
            sampler.join(2000);
        } finally {
            drover.close(); // ends the executor's watches, so /metrics counts them
        }
        Thread.sleep(1000); // let the audit log take the last lines
        long cpu1 = processCpuNanos();
        Map<String, Long> threads1 = threadCpuByGroup();
        ProcessCpu.Snapshot servers1 = servers.snapshot();
        Map<ExecutorApiCounts.Key, Long> metricsAfter = ExecutorApiCounts.scrape(metricsHttp);
        SimStats simAfter = sim.stats();
        Map<String, List<Long>> serverTimes = new java.util.TreeMap<>();
        Map<String, Map<ExecutorApiCounts.Key, Long>> audit =
                ExecutorApiCounts.audit(ground.auditLog(), auditOffset, ns, ExecutorBench::clientOf, serverTimes);
        ExecutorApiCounts.audit(ground.auditLog(), 0, rawNamespace, ExecutorBench::clientOf, serverTimes);
        Map<String, ExecutorStats.Percentiles> serverPercentiles = new LinkedHashMap<>();
        serverTimes.forEach((k, v) -> serverPercentiles.put(k, ExecutorStats.percentiles(toArray(v))));

        // --- figures ---
        long succeeded = times.values().stream()
                .filter(t -> t.state == TaskState.SUCCEEDED)
                .count();
        long failed = times.values().stream()
                .filter(t -> t.state != null && t.state != TaskState.SUCCEEDED)
                .count();
        long notFinished = o.tasks() - succeeded - failed;
        Map<String, ExecutorPodWatch.PodSeen> byTask = new HashMap<>();
        for (ExecutorPodWatch.PodSeen s : watch.pods().values()) {
            if (s.taskId != null) {
                byTask.put(s.taskId, s);
            }
        }
        long lastPodSeen =
                watch.pods().values().stream().mapToLong(s -> s.added).max().orElse(firstSubmit);
        double wall = (lastCommit - firstSubmit) / 1e9;
        double launchSeconds = (lastPodSeen - firstSubmit) / 1e9;
        double launchRate = watch.added() / launchSeconds;
        long[] addedTimes = watch.pods().values().stream()
                .mapToLong(s -> s.added)
                .filter(t -> t >= firstSubmit)
                .sorted()
                .toArray();
        // Before any slot frees: the first min(parallelism, tasks) pods, from the first submit.
        int firstSlots = Math.min(Math.min(o.parallelism(), o.tasks()), addedTimes.length);
        double firstSlotsRate =
                firstSlots == 0 ? Double.NaN : firstSlots / ((addedTimes[firstSlots - 1] - firstSubmit) / 1e9);
        // The best 5 seconds of creates: what the launch path reaches when nothing holds it back.
        int peak = 0;
        for (int i = 0, j = 0; j < addedTimes.length; j++) {
            while (addedTimes[j] - addedTimes[i] > 5_000_000_000L) {
                i++;
            }
            peak = Math.max(peak, j - i + 1);
        }
        boolean longEnough =
                addedTimes.length > 1 && addedTimes[addedTimes.length - 1] - addedTimes[0] >= 5_000_000_000L;
        double peakRate = longEnough ? peak / 5.0 : Double.NaN; // a shorter launch has no 5 s window
        double submitSeconds = (submitEnd - firstSubmit) / 1e9;
        ExecutorResult exec = new ExecutorResult(
                o.tasks(),
                succeeded,
                failed,
                notFinished,
                submitSeconds,
                o.tasks() / submitSeconds,
                wall,
                (succeeded + failed) / wall,
                launchSeconds,
                launchRate,
                limit,
                launchRate / limit,
                bare == null ? Double.NaN : bare.tasksPerSecond(),
                bare == null ? Double.NaN : ((succeeded + failed) / wall) / bare.tasksPerSecond(),
                launchOnly == null ? Double.NaN : launchOnly.launchesPerSecond(),
                launchOnly == null ? Double.NaN : launchOnly.launchesPerSecond() / limit,
                firstSlotsRate,
                peakRate,
                maxInFlight[0],
                (cpu1 - cpu0) / 1e9,
                servers1.apiServerSeconds() - servers0.apiServerSeconds(),
                servers1.etcdSeconds() - servers0.etcdSeconds());

        // latency and stages
        List<long[]> pairs = new ArrayList<>();
        long negative = 0;
        long missing = 0;
        Map<String, List<Long>> stages = new LinkedHashMap<>();
        for (String s : List.of(
                "submit -> claimed (LAUNCHING)",
                "claimed -> pod seen (create)",
                "pod seen -> RUNNING committed",
                "pod seen -> terminal status seen (simulator, run " + o.run() + ")",
                "terminal status seen -> committed",
                "committed -> pod deleted seen (cleanup)",
                "submit -> committed (end to end)")) {
            stages.put(s, new ArrayList<>());
        }
        List<String> names = new ArrayList<>(stages.keySet());
        List<Long> latencies = new ArrayList<>();
        Map<Long, Long> slow = new HashMap<>();
        for (TaskTimes t : times.values()) {
            ExecutorPodWatch.PodSeen p = byTask.get(t.id);
            add(stages.get(names.get(0)), t.submit, t.launching);
            add(stages.get(names.get(6)), t.submit, t.committed);
            if (p == null) {
                missing++;
                continue;
            }
            add(stages.get(names.get(1)), t.launching, p.added);
            add(stages.get(names.get(2)), p.added, t.running);
            add(stages.get(names.get(3)), p.added, p.terminal);
            add(stages.get(names.get(5)), t.committed, p.deleted);
            if (p.terminal != 0 && t.committed != 0) {
                long d = t.committed - p.terminal;
                latencies.add(d);
                if (d > 250_000_000L) {
                    slow.merge((p.terminal - firstSubmit) / 1_000_000_000L, 1L, Long::sum);
                }
                stages.get(names.get(4)).add(d);
                if (d < 0) {
                    negative++;
                }
            } else {
                missing++;
            }
        }
        Map<String, ExecutorStats.Percentiles> stagePercentiles = new LinkedHashMap<>();
        stages.forEach((k, v) -> stagePercentiles.put(k, ExecutorStats.percentiles(toArray(v))));
        Latency latency = new Latency(
                LATENCY_DEFINITION, ExecutorStats.percentiles(toArray(latencies)), negative, missing, top(slow, 10));

        // requests
        List<ApiRow> metricsRows = new ArrayList<>();
        ExecutorApiCounts.delta(metricsBefore, metricsAfter)
                .forEach((k, v) -> metricsRows.add(
                        new ApiRow("all clients", k.verb(), k.resource(), k.subresource(), k.code(), v)));
        List<ApiRow> auditRows = new ArrayList<>();
        audit.forEach((client, counts) -> counts.forEach(
                (k, v) -> auditRows.add(new ApiRow(client, k.verb(), k.resource(), k.subresource(), k.code(), v))));
        PerTask perTask = perTask(audit, o.tasks());
        Map<String, Long> simWrites = new LinkedHashMap<>();
        for (String kind : List.of("binding", "status", "event", "event-patch", "delete")) {
            simWrites.put(kind, simAfter.writes(kind) - simBefore.writes(kind));
        }
        simWrites.put("retries", simAfter.retries() - simBefore.retries());
        simWrites.put("failures", simAfter.failures() - simBefore.failures());

        Environment envDone = new Environment(
                env.cores(),
                env.java(),
                env.startedAt(),
                env.loadAtStart(),
                env.loadBeforeExecutor(),
                ExecutorStats.loadAverage(),
                env.groundStartSeconds());
        Map<String, Long> benchWatch = new LinkedHashMap<>();
        benchWatch.put("events", watch.events());
        benchWatch.put("reconnects", watch.reconnects());
        benchWatch.put("gaps (410)", watch.gaps());
        List<Sample> samples;
        synchronized (timeline) {
            samples = List.copyOf(timeline);
        }
        cpuMsPerPod.put(
                "kube-apiserver, executor task", exec.apiServerCpuSeconds() * 1000 / Math.max(1, succeeded + failed));
        cpuMsPerPod.put("etcd, executor task", exec.etcdCpuSeconds() * 1000 / Math.max(1, succeeded + failed));
        cpuMsPerPod.put(
                "bench JVM, executor task (executor + simulator + bench watch)",
                exec.benchCpuSeconds() * 1000 / Math.max(1, succeeded + failed));
        return new Report(
                o,
                envDone,
                raw,
                bare,
                launchOnly,
                cpuMsPerPod,
                exec,
                latency,
                stagePercentiles,
                perTask,
                metricsRows,
                auditRows,
                simWrites,
                goals(exec, latency, perTask),
                samples,
                benchWatch,
                cpuDelta(threads0, threads1),
                serverPercentiles);
    }

    // --- pieces ---

    TaskSpec spec(String namespace) {
        return TaskSpec.builder("bench")
                .namespace(namespace)
                .image("registry.example/bench:1")
                .command("sleep", "1")
                .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, "run=" + o.run())
                .build();
    }

    private TaskStore openStore(Path dir) {
        return switch (o.store()) {
            case "h2-mem" -> TaskStores.h2InMemory("bench" + System.nanoTime());
            case "h2-file" -> TaskStores.h2(dir.resolve("drover"));
            default -> throw new IllegalArgumentException("--store is h2-file or h2-mem, not " + o.store());
        };
    }

    static String clientOf(String userAgent) {
        if (userAgent.startsWith(UA_EXECUTOR)) {
            return "executor (fabric8: create, cleanup)";
        }
        if (userAgent.startsWith("Java-http-client")) {
            return "executor (drover-kube: list/watch)";
        }
        if (userAgent.startsWith(UA_SIM)) {
            return "simulator";
        }
        if (userAgent.startsWith(UA_WATCH)) {
            return "bench watch";
        }
        return "other: " + userAgent;
    }

    static PerTask perTask(Map<String, Map<ExecutorApiCounts.Key, Long>> audit, int tasks) {
        Map<ExecutorApiCounts.Key, Long> exec = new HashMap<>();
        audit.forEach((client, counts) -> {
            if (client.startsWith("executor")) {
                counts.forEach((k, v) -> exec.merge(k, v, Long::sum));
            }
        });
        long creates = ExecutorApiCounts.count(exec, "CREATE", "pods", "");
        long patches = ExecutorApiCounts.count(exec, "PATCH", "pods", "");
        long deletes = ExecutorApiCounts.count(exec, "DELETE", "pods", "");
        long gets = exec.entrySet().stream()
                .filter(e -> e.getKey().verb().equals("GET"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        long lists = exec.entrySet().stream()
                .filter(e -> e.getKey().verb().equals("LIST"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        long watches = exec.entrySet().stream()
                .filter(e -> e.getKey().verb().equals("WATCH"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        long all = exec.values().stream().mapToLong(Long::longValue).sum();
        long other = all - creates - patches - deletes - gets - lists - watches;
        double n = Math.max(1, tasks);
        return new PerTask(
                creates,
                patches,
                deletes,
                gets,
                lists,
                watches,
                other,
                creates / n,
                patches / n,
                deletes / n,
                gets / n,
                lists / n);
    }

    private static List<Goal> goals(ExecutorResult e, Latency l, PerTask p) {
        List<Goal> g = new ArrayList<>();
        if (!Double.isNaN(e.launchOnlyRatio())) {
            g.add(new Goal(
                    "launch-only launches/s ÷ raw creates/s",
                    Table.ratio(e.launchOnlyRatio()),
                    "≥ 0.80×",
                    e.launchOnlyRatio() >= 0.8));
        }
        double tasksRatio = e.tasksPerSecond() / e.limitCreatesPerSecond();
        g.add(new Goal(
                "tasks/s ÷ raw creates/s (see CPU per pod)", Table.ratio(tasksRatio), "≥ 0.80×", tasksRatio >= 0.8));
        if (!Double.isNaN(e.bareRatio())) {
            g.add(new Goal(
                    "tasks/s ÷ bare lifecycle tasks/s", Table.ratio(e.bareRatio()), "≥ 0.80×", e.bareRatio() >= 0.8));
        }
        g.add(new Goal(
                "terminal status -> committed p50",
                Table.num(l.terminalToCommit().p50(), 1) + " ms",
                "≤ 50 ms",
                l.terminalToCommit().p50() <= 50));
        g.add(new Goal(
                "terminal status -> committed p99",
                Table.num(l.terminalToCommit().p99(), 1) + " ms",
                "≤ 250 ms",
                l.terminalToCommit().p99() <= 250));
        g.add(new Goal("pod creates per task", Table.num(p.createsPerTask(), 3), "1", p.creates() == e.tasks()));
        g.add(new Goal("pod patches per task", Table.num(p.patchesPerTask(), 3), "≤ 1", p.patchesPerTask() <= 1));
        g.add(new Goal("pod deletes per task", Table.num(p.deletesPerTask(), 3), "≤ 1", p.deletesPerTask() <= 1));
        // The informers' initial lists (pods, events of the namespace) are per namespace, not per task.
        g.add(new Goal(
                "GET / LIST (whole run)",
                p.gets() + " / " + p.lists(),
                "0 GET, LIST per namespace only (≤ 2)",
                p.gets() == 0 && p.lists() <= 2));
        return g;
    }

    // --- tables ---

    static String tables(Report r) {
        Options o = r.options();
        Environment env = r.environment();
        ExecutorResult e = r.executor();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "executor: %,d tasks (sim behaviour run=%s), %d LEAN nodes, %d creates in flight, parallelism %d,"
                        + " store %s%nmachine: %d cores, load %.2f at start, %.2f before the executor phase, %.2f at"
                        + " end; %s%n%n",
                o.tasks(),
                o.run(),
                o.nodes(),
                o.concurrency(),
                o.parallelism(),
                o.store(),
                env.cores(),
                env.loadAtStart(),
                env.loadBeforeExecutor(),
                env.loadAtEnd(),
                "Java " + env.java()));
        Table t = new Table("Throughput", "what", "value", "note");
        for (ExecutorRawCreates.Result raw : r.raw()) {
            t.row(
                    "raw creates/s (" + raw.client() + ")",
                    Table.num(raw.createsPerSecond(), 1),
                    String.format(
                            "%,d pods in %.1f s, create p50 %.0f ms p99 %.0f ms, %d retried",
                            raw.pods(), raw.seconds(), raw.createP50Ms(), raw.createP99Ms(), raw.retried()));
        }
        if (r.launchOnly() != null) {
            ExecutorLaunchOnly.Result l = r.launchOnly();
            t.row(
                    "launch-only launches/s",
                    Table.num(l.launchesPerSecond(), 1),
                    String.format(
                            "%s of the raw rate; %,d tasks, parallelism %,d, no simulator: first submit -> last pod"
                                    + " seen %.1f s (submitting %.1f s)",
                            Table.ratio(e.launchOnlyRatio()), l.tasks(), l.tasks(), l.seconds(), l.submitSeconds()));
        }
        if (r.bare() != null) {
            ExecutorBareLifecycle.Result b = r.bare();
            t.row(
                    "bare lifecycles/s",
                    Table.num(b.tasksPerSecond(), 1),
                    String.format(
                            "%,d pods: plain create, simulator, delete when terminal; %d in flight; %.1f s, %d retried,"
                                    + " %d delete failures",
                            b.pods(), b.parallelism(), b.seconds(), b.retried(), b.deleteFailures()));
        }
        t.row(
                "executor launches/s",
                Table.num(e.launchesPerSecond(), 1),
                String.format(
                        "%s of the best raw rate (goal ≥ 0.80×); first submit -> last pod seen %.1f s",
                        Table.ratio(e.launchRatio()), e.launchSeconds()));
        t.row(
                "  first " + Math.min(o.parallelism(), o.tasks()) + " pods",
                Table.num(e.firstSlotsLaunchesPerSecond(), 1),
                String.format(
                        "%s of the limit; launches before any slot had to free (first submit -> that pod seen)",
                        Table.ratio(e.firstSlotsLaunchesPerSecond() / e.limitCreatesPerSecond())));
        t.row(
                "  best 5 s",
                Table.num(e.peakLaunchesPerSecond5s(), 1),
                String.format(
                        "%s of the limit; the most pods seen created within any 5 s, ÷ 5",
                        Table.ratio(e.peakLaunchesPerSecond5s() / e.limitCreatesPerSecond())));
        t.row(
                "executor tasks/s",
                Table.num(e.tasksPerSecond(), 1),
                String.format(
                        "%s of the bare lifecycle rate; %,d succeeded, %,d failed, %,d unfinished; first submit ->"
                                + " last commit %.1f s",
                        Table.ratio(e.bareRatio()), e.succeeded(), e.failed(), e.notFinished(), e.wallSeconds()));
        t.row(
                "submits/s",
                Table.num(e.submitsPerSecond(), 0),
                String.format(
                        "%d submitting threads, %d per call, %.1f s",
                        o.submitThreads(), o.submitBatch(), e.submitSeconds()));
        t.row("max in flight", e.maxInFlight(), "of parallelism " + o.parallelism());
        t.row(
                "CPU s (executor phase)",
                Table.num(e.benchCpuSeconds(), 1),
                String.format(
                        "bench JVM (executor + simulator + watch); kube-apiserver %.1f s, etcd %.1f s",
                        e.apiServerCpuSeconds(), e.etcdCpuSeconds()));
        sb.append(t.render()).append('\n');
        Table cpu = new Table("CPU per pod, ms (process CPU time over the phase ÷ pods)", "process, phase", "ms");
        r.cpuMsPerPod().forEach((k, v) -> cpu.row(k, Table.num(v, 2)));
        sb.append(cpu.render()).append('\n');
        sb.append("bench JVM CPU s by thread group (virtual threads run on ForkJoinPool-#-worker-#): ")
                .append(r.benchCpuByThreadGroup())
                .append("\n\n");

        Table lat =
                new Table("Latency per task, ms (nearest-rank percentiles)", "stage", "n", "p50", "p90", "p99", "max");
        r.stages()
                .forEach((name, p) -> lat.row(
                        name,
                        p.count(),
                        Table.num(p.p50(), 1),
                        Table.num(p.p90(), 1),
                        Table.num(p.p99(), 1),
                        Table.num(p.max(), 1)));
        sb.append(lat.render()).append('\n');
        sb.append(String.format(
                "terminal status -> committed: %s.%n%d commits came before our watch saw the status (negative),"
                        + " %d tasks without both moments.%nCommits over 250 ms by second of the run (busiest ten):"
                        + " %s%n%n",
                r.latency().definition(),
                r.latency().negative(),
                r.latency().missing(),
                r.latency().slowBySecond()));

        Table srv = new Table(
                "Time inside the apiserver per request, ms (audit log: stageTimestamp - requestReceivedTimestamp;"
                        + " raw namespace and executor namespace)",
                "client request",
                "n",
                "p50",
                "p90",
                "p99");
        r.apiServerTimeMs().forEach((name, p) -> {
            if (p.count() >= 10) {
                srv.row(name, p.count(), Table.num(p.p50(), 1), Table.num(p.p90(), 1), Table.num(p.p99(), 1));
            }
        });
        sb.append(srv.render()).append('\n');

        Table per = new Table(
                "Executor's API requests (audit log, executor namespace, both its clients)",
                "request",
                "count",
                "per task",
                "goal");
        PerTask p = r.perTask();
        per.row("create pods", p.creates(), Table.num(p.createsPerTask(), 3), "1");
        per.row("patch pods", p.patches(), Table.num(p.patchesPerTask(), 3), "≤ 1");
        per.row("delete pods", p.deletes(), Table.num(p.deletesPerTask(), 3), "≤ 1");
        per.row("get (any)", p.gets(), Table.num(p.getsPerTask(), 4), "0");
        per.row("list (any)", p.lists(), Table.num(p.listsPerTask(), 4), "per namespace only");
        per.row("watch (any)", p.watches(), "-", "per namespace only");
        per.row("other", p.other(), "-", "-");
        sb.append(per.render()).append('\n');

        Table api = new Table(
                "Requests in the executor phase by client (audit log, executor namespace)",
                "client",
                "verb",
                "resource",
                "code",
                "count",
                "per task");
        for (ApiRow row : r.auditByClient()) {
            api.row(
                    row.client(),
                    row.verb(),
                    row.resource() + (row.subresource().isEmpty() ? "" : "/" + row.subresource()),
                    row.code(),
                    row.count(),
                    Table.num(row.count() / (double) o.tasks(), 3));
        }
        sb.append(api.render()).append('\n');

        Table m = new Table(
                "apiserver /metrics delta over the executor phase (apiserver_request_total, namespaced pods/events,"
                        + " all clients; 'open' = watches still open, apiserver_longrunning_gauge)",
                "verb",
                "resource",
                "code",
                "count",
                "per task");
        for (ApiRow row : r.metricsDelta()) {
            m.row(
                    row.verb(),
                    row.resource() + (row.subresource().isEmpty() ? "" : "/" + row.subresource()),
                    row.code(),
                    row.count(),
                    Table.num(row.count() / (double) o.tasks(), 3));
        }
        sb.append(m.render()).append('\n');
        sb.append("simulator writes in the executor phase (SimStats): ")
                .append(r.simulatorWrites())
                .append("\n\n");

        Table goals = new Table("Goals", "goal", "measured", "target", "met");
        for (Goal g : r.goals()) {
            goals.row(g.what(), g.measured(), g.goal(), g.met() ? "yes" : "NO");
        }
        sb.append(goals.render()).append('\n');
        return sb.toString();
    }

    // --- helpers ---

    private static void add(List<Long> to, long from, long until) {
        if (from != 0 && until != 0) {
            to.add(until - from);
        }
    }

    /** The {@code n} largest entries, in order of key. */
    private static Map<Long, Long> top(Map<Long, Long> counts, int n) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static long[] toArray(List<Long> v) {
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    private void awaitQuietly(String what, Duration max, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                progress.say("  gave up waiting for %s after %s", what, max);
                return;
            }
            Thread.sleep(200);
        }
    }

    /**
     * CPU of the bench JVM's platform threads by name with the digits blanked out ({@code
     * ForkJoinPool-#-worker-#} carries every virtual thread: the launches, the pod tracker's worker).
     */
    private static Map<String, Long> threadCpuByGroup() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                out.merge(info.getThreadName().replaceAll("\\d+", "#"), cpu, Long::sum);
            }
        }
        return out;
    }

    /** The groups that used the most CPU in between, in seconds, largest first (at most 15). */
    private static Map<String, Double> cpuDelta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9))
                .filter(e -> e.getValue() > 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return out;
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp dir: best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** CPU time of the ground's kube-apiserver and etcd processes, found by their command lines. */
    record ProcessCpu(Optional<ProcessHandle> apiServer, Optional<ProcessHandle> etcd) {
        record Snapshot(double apiServerSeconds, double etcdSeconds) {}

        static ProcessCpu of(TestGround ground) {
            String certDir = "--cert-dir=" + ground.stateDir().resolve("certs");
            Optional<ProcessHandle> api = find("kube-apiserver", a -> a.contains(certDir));
            String etcdUrl = api.flatMap(p -> p.info().arguments())
                    .flatMap(args -> java.util.Arrays.stream(args)
                            .filter(x -> x.startsWith("--etcd-servers="))
                            .map(x -> x.substring("--etcd-servers=".length()))
                            .findFirst())
                    .orElse(null);
            Optional<ProcessHandle> etcd = etcdUrl == null
                    ? Optional.empty()
                    : find("etcd", a -> a.contains("--listen-client-urls=" + etcdUrl));
            return new ProcessCpu(api, etcd);
        }

        /** The process whose executable is named {@code executable} (not the watchdog shell naming it). */
        private static Optional<ProcessHandle> find(String executable, java.util.function.Predicate<String> args) {
            return ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().orElse("").endsWith("/" + executable))
                    .filter(p -> p.info()
                            .arguments()
                            .map(a -> args.test(String.join(" ", a)))
                            .orElse(false))
                    .findFirst();
        }

        Snapshot snapshot() {
            ToLongFunction<Optional<ProcessHandle>> cpu =
                    p -> p.flatMap(h -> h.info().totalCpuDuration())
                            .map(Duration::toNanos)
                            .orElse(-1L);
            long a = cpu.applyAsLong(apiServer);
            long e = cpu.applyAsLong(etcd);
            return new Snapshot(a < 0 ? Double.NaN : a / 1e9, e < 0 ? Double.NaN : e / 1e9);
        }
    }
}
