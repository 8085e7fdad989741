package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.core.Drover;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskChange;
import dev.drover.core.store.TaskStore;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Phase 3: {@code --run-tasks} tasks run end to end (a started Drover, the simulator's nodes) while
 * {@code --clients} watchers follow {@code GET /api/v1/watch}; the same run without watchers first,
 * so the CPU the fan-out costs shows as the difference. Every watcher must get every change the store
 * recorded for the run: each one's count is checked against the store's transitions.
 */
final class ServerFanOut {
    /** One run. Lags in ms from a change's {@code at} to a watcher reading it. */
    record Result(
            String store,
            int watchers,
            int tasks,
            long changes,
            int succeeded,
            double runSeconds,
            double deliveredSeconds,
            long minPerWatcher,
            long maxPerWatcher,
            long missing,
            long duplicates,
            long unexpected,
            long outOfOrder,
            long brokenStreams,
            long idGaps,
            double lagOver1sShare,
            ExecutorStats.Percentiles lagMs,
            double jvmCpuSeconds,
            double apiServerCpuSeconds,
            double etcdCpuSeconds,
            Map<String, Double> cpuByThreadGroup) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerBench.Options o;
    private final Progress progress;

    ServerFanOut(ServerBench.Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Result run(
            Config kube,
            CpuMeter cpu,
            String storeKind,
            String namespace,
            TaskStore store,
            Path dir,
            int watchers,
            int tasks)
            throws Exception {
        progress.say("fan-out on %s: %,d tasks (run=%s) with %d watchers", storeKind, tasks, o.run(), watchers);
        try (store;
                Drover drover = Drover.builder(kube, store)
                        .schedulerId("bench-fanout-" + watchers)
                        .cluster("bench")
                        .parallelism(Math.max(100, tasks))
                        .launchRate(10_000, 32)
                        .tick(Duration.ofMillis(200))
                        .build()
                        .start();
                ServerApi api = ServerApi.start(drover, store, dir.resolve("tokens-" + watchers))) {
            List<SseCounter> clients = new ArrayList<>();
            try {
                for (int i = 0; i < watchers; i++) {
                    clients.add(new SseCounter(api));
                }
                for (SseCounter c : clients) {
                    if (!c.awaitOpen(60)) {
                        throw new IllegalStateException("a watcher's stream did not open: " + c.failure());
                    }
                }
                long firstId = store.lastChangeId();
                CpuMeter.Reading cpu0 = cpu.read();
                Map<String, Long> threads0 = CpuMeter.threadCpuByGroup();
                long t0 = System.nanoTime();
                submit(api, namespace, tasks);
                Map<TaskState, Long> states = awaitEnded(store, t0, tasks);
                long ended = System.nanoTime();
                BitSet expected = new BitSet();
                long changes = 0;
                long lastId = firstId;
                for (long after = firstId; ; ) {
                    List<TaskChange> page = store.changesAfter(after, 1000);
                    if (page.isEmpty()) {
                        break;
                    }
                    for (TaskChange ch : page) {
                        expected.set(Math.toIntExact(ch.id()));
                        changes++;
                        after = ch.id();
                        lastId = Math.max(lastId, ch.id());
                    }
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !allGot(clients, changes)) {
                    Thread.sleep(20);
                }
                long delivered = System.nanoTime();
                CpuMeter.Usage used = cpu.since(cpu0);
                Map<String, Double> byGroup = CpuMeter.threadCpuDelta(threads0, CpuMeter.threadCpuByGroup());
                long min = Long.MAX_VALUE;
                long max = 0;
                long missing = 0;
                long duplicates = 0;
                long unexpected = 0;
                long outOfOrder = 0;
                long broken = 0;
                List<long[]> lags = new ArrayList<>();
                int total = 0;
                for (SseCounter c : clients) {
                    min = Math.min(min, c.received());
                    max = Math.max(max, c.received());
                    missing += c.missing(expected);
                    duplicates += c.duplicates();
                    unexpected += c.unexpected(expected);
                    outOfOrder += c.outOfOrder();
                    broken += c.failure() == null ? 0 : 1;
                    long[] l = c.lagsMicros();
                    lags.add(l);
                    total += l.length;
                }
                long[] all = new long[total];
                int at = 0;
                long over1s = 0;
                for (long[] l : lags) {
                    for (long micros : l) {
                        all[at++] = micros * 1000;
                        over1s += micros > 1_000_000 ? 1 : 0;
                    }
                }
                Result r = new Result(
                        storeKind,
                        watchers,
                        tasks,
                        changes,
                        states.getOrDefault(TaskState.SUCCEEDED, 0L).intValue(),
                        (ended - t0) / 1e9,
                        watchers == 0 ? Double.NaN : (delivered - t0) / 1e9,
                        watchers == 0 ? 0 : min,
                        max,
                        missing,
                        duplicates,
                        unexpected,
                        outOfOrder,
                        broken,
                        (lastId - firstId) - changes, // ids the store skipped (a rolled-back insert's)
                        total == 0 ? Double.NaN : (double) over1s / total,
                        ExecutorStats.percentiles(all),
                        used.jvmSeconds(),
                        used.apiServerSeconds(),
                        used.etcdSeconds(),
                        byGroup);
                progress.say(
                        "  %d watchers: %,d changes, %.1f s to end, per watcher %,d..%,d, missing %,d, duplicates %,d,"
                                + " lag p50 %.0f ms p99 %.0f ms, JVM CPU %.1f s",
                        watchers,
                        changes,
                        r.runSeconds(),
                        r.minPerWatcher(),
                        r.maxPerWatcher(),
                        missing,
                        duplicates,
                        r.lagMs().p50(),
                        r.lagMs().p99(),
                        r.jvmCpuSeconds());
                return r;
            } finally {
                clients.forEach(SseCounter::close);
            }
        }
    }

    private static boolean allGot(List<SseCounter> clients, long changes) {
        for (SseCounter c : clients) {
            if (c.received() < changes && c.failure() == null) {
                return false;
            }
        }
        return true;
    }

    /** The tasks over REST, batches of 100 from 4 threads (as a client would submit them). */
    private void submit(ServerApi api, String namespace, int count) throws Exception {
        int batch = 100;
        Workers.run(Thread.ofVirtual().name("fanout-submit-", 0), 4, 0, count, batch, "submits", (from, n) -> {
            List<Map<String, Object>> tasks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Map<String, Object> t = ServerBench.specJson(namespace, from + i);
                t.put("annotations", Map.of(dev.drover.sim.NodeSimulator.BEHAVIOR_ANNOTATION, "run=" + o.run()));
                tasks.add(t);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tasks", tasks);
            api.submit(JSON.writeValueAsBytes(body));
        });
    }

    private Map<TaskState, Long> awaitEnded(TaskStore store, long t0, int tasks) throws InterruptedException {
        long deadline = t0 + Duration.ofSeconds(o.timeoutSeconds()).toNanos();
        while (true) {
            Map<TaskState, Long> states = store.countByState();
            long ended = states.entrySet().stream()
                    .filter(e -> e.getKey().isTerminal())
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            progress.tick("ended", ended, tasks);
            if (ended >= tasks) {
                progress.done();
                return states;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + ended + " of " + tasks + " tasks ended within "
                        + o.timeoutSeconds() + " s: " + states);
            }
            Thread.sleep(200);
        }
    }
}
