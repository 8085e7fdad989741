package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.core.Drover;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Phase 1: the same N task specs submitted in-process ({@code Drover.submitAll} in batches, and one
 * by one) and over HTTP ({@code POST /api/v1/tasks}, a batch per request and one task per request),
 * from the same number of client threads, each contender into a fresh store of the same kind. The
 * Drover is built and not started (it schedules nothing), so what is measured is checking and
 * storing the tasks, plus the HTTP around it.
 */
final class ServerSubmitRate {
    enum Contender {
        IN_PROCESS_BATCH("in-process submitAll (batch)", false, true),
        REST_BATCH("REST POST {\"tasks\":[…]} (batch)", true, true),
        IN_PROCESS_SINGLE("in-process submit (one per call)", false, false),
        REST_SINGLE("REST POST one task per request", true, false),
        /** The HTTP stack's own ceiling in this JVM: a request that touches neither store nor auth. */
        HTTP_FLOOR("floor: GET /livez (no store, no auth)", true, false);

        final String label;
        final boolean rest;
        final boolean batch;

        Contender(String label, boolean rest, boolean batch) {
            this.label = label;
            this.rest = rest;
            this.batch = batch;
        }
    }

    /** One contender's run. {@code calls}: submit calls or requests; latency per call in ms. */
    record Result(
            String contender,
            String store,
            int tasks,
            int tasksPerCall,
            int clients,
            long calls,
            double seconds,
            double tasksPerSecond,
            double jvmCpuSeconds,
            double cpuMsPerTask,
            ExecutorStats.Percentiles callMs,
            long stored) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerBench.Options o;
    private final Progress progress;

    ServerSubmitRate(ServerBench.Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    /**
     * Every contender once on a throwaway store ({@code warmUp} tasks: class loading, JIT, connection
     * pool), then each on a fresh store with {@code o.submitTasks()}.
     */
    List<Result> run(Config kube, String storeKind, String namespace, Function<String, TaskStore> freshStore, Path dir)
            throws Exception {
        int warmUp = Math.max(100, Math.min(2000, o.submitTasks() / 5));
        progress.say("submit rate on %s: warm-up, %,d tasks per contender", storeKind, warmUp);
        for (Contender c : Contender.values()) {
            once(c, kube, storeKind, namespace, freshStore.apply("warm-" + c.ordinal()), dir, warmUp);
        }
        List<Result> out = new ArrayList<>();
        for (Contender c : Contender.values()) {
            System.gc();
            Result r = once(
                    c, kube, storeKind, namespace, freshStore.apply("submit-" + c.ordinal()), dir, o.submitTasks());
            progress.say(
                    "  %s: %,.0f tasks/s (%.1f s, %.2f CPU ms/task, call p50 %.1f ms p99 %.1f ms)",
                    c.label,
                    r.tasksPerSecond(),
                    r.seconds(),
                    r.cpuMsPerTask(),
                    r.callMs().p50(),
                    r.callMs().p99());
            out.add(r);
        }
        return out;
    }

    private Result once(
            Contender c, Config kube, String storeKind, String namespace, TaskStore store, Path dir, int tasks)
            throws Exception {
        int perCall = c.batch ? o.submitBatch() : 1;
        TaskSpec spec = ServerBench.spec(namespace, 0);
        byte[] body =
                c.batch ? batchBody(namespace, perCall) : JSON.writeValueAsBytes(ServerBench.specJson(namespace, 0));
        byte[] tail = c.batch && tasks % perCall != 0 ? batchBody(namespace, tasks % perCall) : body;
        ConcurrentLinkedQueue<Long> callNanos = new ConcurrentLinkedQueue<>();
        try (store;
                Drover drover = Drover.builder(kube, store)
                        .schedulerId("bench-submit")
                        .cluster("bench")
                        .build(); // never started: it only submits
                ServerApi api = c.rest ? ServerApi.start(drover, store, dir.resolve("tokens")) : null) {
            drover.submit(spec); // the namespace check (cached from here on) and the first insert, untimed
            long cpu0 = CpuMeter.processCpuNanos();
            long t0 = System.nanoTime();
            Workers.run(
                    Thread.ofVirtual().name("submit-" + c.name().toLowerCase() + "-", 0),
                    o.clients(),
                    0,
                    tasks,
                    perCall,
                    "submit clients",
                    (from, n) -> {
                        long s = System.nanoTime();
                        if (c == Contender.HTTP_FLOOR) {
                            api.get("/livez");
                        } else if (c.rest) {
                            api.submit(n == perCall ? body : tail);
                        } else if (c.batch) {
                            drover.submitAll(Collections.nCopies(n, spec));
                        } else {
                            drover.submit(spec);
                        }
                        callNanos.add(System.nanoTime() - s);
                    });
            long elapsed = System.nanoTime() - t0;
            double cpu = (CpuMeter.processCpuNanos() - cpu0) / 1e9;
            long stored = store.countByState().values().stream()
                            .mapToLong(Long::longValue)
                            .sum()
                    - 1;
            if (c == Contender.HTTP_FLOOR) {
                stored = -1; // nothing to store
            }
            long[] samples = callNanos.stream().mapToLong(Long::longValue).toArray();
            return new Result(
                    c.label,
                    storeKind,
                    tasks,
                    perCall,
                    o.clients(),
                    samples.length,
                    elapsed / 1e9,
                    tasks / (elapsed / 1e9),
                    cpu,
                    cpu * 1000 / tasks,
                    ExecutorStats.percentiles(samples),
                    stored);
        }
    }

    private static byte[] batchBody(String namespace, int n) throws Exception {
        List<Map<String, Object>> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tasks.add(ServerBench.specJson(namespace, 0));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", tasks);
        return JSON.writeValueAsBytes(body);
    }

    /** REST ÷ in-process for batch and single (goal ≥ 0.8×). */
    static Map<String, Double> ratios(List<Result> results, String store) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("batch", rate(results, store, Contender.REST_BATCH) / rate(results, store, Contender.IN_PROCESS_BATCH));
        out.put(
                "single",
                rate(results, store, Contender.REST_SINGLE) / rate(results, store, Contender.IN_PROCESS_SINGLE));
        out.put(
                "single ÷ HTTP floor",
                rate(results, store, Contender.REST_SINGLE) / rate(results, store, Contender.HTTP_FLOOR));
        return out;
    }

    /** REST's CPU per task ÷ in-process's, for "batch" or "single". */
    static double cpuRatio(List<Result> results, String store, String kind) {
        boolean batch = kind.equals("batch");
        Contender rest = batch ? Contender.REST_BATCH : Contender.REST_SINGLE;
        Contender local = kind.contains("floor")
                ? Contender.HTTP_FLOOR
                : batch ? Contender.IN_PROCESS_BATCH : Contender.IN_PROCESS_SINGLE;
        return of(results, store, rest, Result::cpuMsPerTask) / of(results, store, local, Result::cpuMsPerTask);
    }

    private static double rate(List<Result> results, String store, Contender c) {
        return of(results, store, c, Result::tasksPerSecond);
    }

    private static double of(
            List<Result> results, String store, Contender c, java.util.function.ToDoubleFunction<Result> f) {
        return results.stream()
                .filter(r -> r.store().equals(store) && r.contender().equals(c.label))
                .mapToDouble(f)
                .findFirst()
                .orElse(Double.NaN);
    }
}
