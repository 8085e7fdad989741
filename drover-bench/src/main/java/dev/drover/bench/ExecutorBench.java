package dev.drover.bench;

import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.PostgresServer;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The executor benchmark: on a private test ground with a LEAN node simulator, first the limits —
 * raw creates of the executor's own pods ({@link ExecutorRawCreates}), Drover's launches under the
 * same conditions ({@link ExecutorLaunchOnly}), bare lifecycles ({@link ExecutorBareLifecycle}) —
 * then Drover running the tasks end to end ({@link ExecutorRun}). This file runs the phases in order
 * and puts the {@link ExecutorReport} together; {@link ExecutorTables} prints it.
 */
final class ExecutorBench {
    static final String UA_EXECUTOR = "drover-bench-executor";
    static final String UA_SIM = "drover-bench-sim";
    static final String UA_WATCH = "drover-bench-watch";
    static final String UA_RAW = "drover-bench-raw";
    static final String RAW_OWNER = "raw-bench";

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
            boolean launchOnly,
            @Nullable String results,
            LogsBench.@Nullable Options logs) {
        /** The stores of the executor phase, in order ({@code --store h2-file,postgres}). */
        List<String> stores() {
            return List.of(store.split(","));
        }

        /**
         * The settings of the pod finalizer and log archiving, in order ({@code --results on,off});
         * reports saved before the setting existed have none: their runs had neither.
         */
        List<String> resultsSettings() {
            return results == null ? List.of("off") : List.of(results.split(","));
        }

        /** Finalizer and log archiving on (the product's default) in this executor phase. */
        boolean resultsOn() {
            return "on".equals(results);
        }

        /** What tells this executor phase from the run's others: its store, and its results setting. */
        String variant() {
            return results == null || results.contains(",") ? store : store + ", results " + results;
        }

        /** The same run on one store, with one results setting. */
        Options withVariant(String kind, String resultsSetting) {
            return new Options(
                    tasks,
                    run,
                    nodes,
                    concurrency,
                    parallelism,
                    launchQps,
                    rawPods,
                    rawClients,
                    kind,
                    submitThreads,
                    submitBatch,
                    tickMs,
                    maxRequestsInflight,
                    maxMutatingRequestsInflight,
                    timeoutSeconds,
                    bare,
                    launchOnly,
                    resultsSetting,
                    logs);
        }
    }

    static final List<String> RESULTS = List.of("on", "off");

    static final List<String> STORES = List.of("h2-file", "h2-mem", "postgres");

    private final Options o;
    private final Progress progress;

    ExecutorBench(Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    ExecutorReport run() throws Exception {
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
        boolean needsPg = o.stores().contains("postgres")
                || o.logs() != null && o.logs().stores().contains("postgres");
        try (TestGround ground = gb.build().start();
                PostgresServer pg = needsPg ? PostgresServer.start() : null) {
            this.pg = pg;
            double groundSeconds = (System.nanoTime() - g0) / 1e9;
            return onGround(ground, groundSeconds, loadAtStart, startedAt);
        }
    }

    private @Nullable PostgresServer pg;

    private ExecutorReport onGround(TestGround ground, double groundSeconds, double loadAtStart, String startedAt)
            throws Exception {
        String rawNs = ground.createNamespace("raw");
        // The executor phase once per store and results setting (stores outer), each in a namespace
        // of its own; the first is the main report.
        List<String[]> variants = new ArrayList<>();
        for (String kind : o.stores()) {
            for (String results : o.resultsSettings()) {
                variants.add(new String[] {kind, results});
            }
        }
        List<String> execNamespaces = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String[] v = variants.get(i);
            execNamespaces.add(ground.createNamespace(i == 0 ? "exec" : "exec-" + v[0] + "-" + v[1]));
        }
        String bareNs = ground.createNamespace("bare");
        String launchNs = ground.createNamespace("launch");
        List<String> logsNamespaces = new ArrayList<>();
        if (o.logs() != null) {
            for (String kind : o.logs().stores()) {
                logsNamespaces.add(ground.createNamespace("logs-" + kind));
            }
        }
        Config admin = ground.adminConfig();
        Config simConfig = new ConfigBuilder(admin).withUserAgent(UA_SIM).build();
        Path storeDir = Files.createTempDirectory("drover-bench-store-");
        List<String> simNamespaces = new ArrayList<>(List.of(bareNs));
        simNamespaces.addAll(execNamespaces);
        simNamespaces.addAll(logsNamespaces);
        try (KubernetesClient simClient =
                        new KubernetesClientBuilder().withConfig(simConfig).build();
                KubeHttp rawHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), UA_RAW + "-http");
                KubeHttp watchHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), UA_WATCH);
                NodeSimulator sim = NodeSimulator.builder(simClient)
                        .nodes(o.nodes())
                        .nodeNamePrefix("bench-")
                        .namespaces(simNamespaces) // raw and launch-only pods stay Pending
                        .fidelity(Fidelity.LEAN)
                        .build()
                        .start()) {
            CpuMeter cpu = CpuMeter.of(ground);
            // Phases in order, each against the same apiserver; CPU per pod collected as they go.
            Map<String, Double> cpuMsPerPod = new LinkedHashMap<>();
            List<ExecutorRawCreates.Result> raw = rawCreates(admin, rawHttp, watchHttp, rawNs, cpu, cpuMsPerPod);
            double limit = raw.stream()
                    .mapToDouble(ExecutorRawCreates.Result::createsPerSecond)
                    .max()
                    .orElse(Double.NaN);
            ExecutorLaunchOnly.Result launchOnly =
                    o.launchOnly() ? launchOnly(admin, watchHttp, launchNs, cpu, cpuMsPerPod) : null;
            ExecutorBareLifecycle.Result bare = o.bare() ? bare(rawHttp, watchHttp, bareNs, cpu, cpuMsPerPod) : null;

            // The first variant's report is the main one (its tables as with one store and setting),
            // the others ride along for the comparison tables.
            List<ExecutorReport> reports = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                String execNs = execNamespaces.get(i);
                ExecutorBench.Options so = o.withVariant(variants.get(i)[0], variants.get(i)[1]);
                double loadBeforeExecutor = ExecutorStats.loadAverage();
                Map<String, Double> cpuMs = new LinkedHashMap<>(cpuMsPerPod);
                try (ExecutorPodWatch watch = new ExecutorPodWatch(watchHttp, execNs).start();
                        TaskStore store = openStore(so.store(), storeDir.resolve("exec-" + i))) {
                    ExecutorRun.Outcome run = new ExecutorRun(so, progress)
                            .run(ground, sim, cpu, watch, store, watchHttp, execNs, rawNs, () -> spec(execNs));
                    ExecutorReport.Environment env = new ExecutorReport.Environment(
                            Runtime.getRuntime().availableProcessors(),
                            Runtime.version().toString(),
                            startedAt,
                            loadAtStart,
                            loadBeforeExecutor,
                            ExecutorStats.loadAverage(),
                            groundSeconds);
                    reports.add(ExecutorReport.of(so, env, raw, bare, launchOnly, cpuMs, limit, run, watch));
                }
            }
            LogsBench.Report logs = null;
            if (o.logs() != null) {
                logs = new LogsBench(o.logs(), progress)
                        .onGround(
                                ground,
                                logsNamespaces,
                                kind -> LogsBench.open(kind, storeDir.resolve("logs-" + kind), pg));
            }
            return reports.getFirst()
                    .withOtherStores(reports.subList(1, reports.size()))
                    .withLogs(logs);
        } finally {
            deleteTree(storeDir);
        }
    }

    /** The limit: raw creates of the same pods, by each client asked for. */
    private List<ExecutorRawCreates.Result> rawCreates(
            Config admin, KubeHttp rawHttp, KubeHttp watchHttp, String rawNs, CpuMeter cpu, Map<String, Double> cpuMs)
            throws Exception {
        List<ExecutorRawCreates.Result> raw = new ArrayList<>();
        for (ExecutorRawCreates.Client c : o.rawClients()) {
            progress.say("raw creates with %s: %,d pods into %s, %d in flight", c, o.rawPods(), rawNs, o.concurrency());
            CpuMeter.Reading before = cpu.read();
            ExecutorRawCreates.Result r;
            // The same observer as in the launch-only run watches these pods, so both pay for it.
            try (ExecutorPodWatch observer = new ExecutorPodWatch(watchHttp, rawNs).start()) {
                r = ExecutorRawCreates.run(
                        c, admin, rawHttp, rawNs, () -> spec(rawNs), o.rawPods(), o.concurrency(), progress);
            }
            CpuMeter.Usage used = cpu.since(before); // includes the warm-up creates
            String server = "kube-apiserver, raw create (" + c + ")";
            String jvm = "bench JVM, raw create (" + c + ", + observer)";
            cpuMs.put(server, used.apiServerMsPer(r.pods()));
            cpuMs.put(jvm, used.jvmMsPer(r.pods()));
            progress.say(
                    "  %s: %.1f creates/s (%.1f s, %d retried); CPU per pod: kube-apiserver %.2f ms, bench JVM %.2f ms",
                    c, r.createsPerSecond(), r.seconds(), r.retried(), cpuMs.get(server), cpuMs.get(jvm));
            raw.add(r);
        }
        return raw;
    }

    /** Drover's launch path under the raw creates' conditions. */
    private ExecutorLaunchOnly.Result launchOnly(
            Config admin, KubeHttp watchHttp, String launchNs, CpuMeter cpu, Map<String, Double> cpuMs)
            throws Exception {
        progress.say(
                "launch only: %,d tasks into %s (no simulator there), parallelism %,d, %d creates at once",
                o.tasks(), launchNs, o.tasks(), o.concurrency());
        Path launchStoreDir = Files.createTempDirectory("drover-bench-launch-");
        CpuMeter.Reading before = cpu.read();
        ExecutorLaunchOnly.Result l;
        try (TaskStore launchStore = openStore(o.stores().getFirst(), launchStoreDir)) {
            l = ExecutorLaunchOnly.run(
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
        CpuMeter.Usage used = cpu.since(before); // includes the untimed warm-up tasks and the informers' start
        cpuMs.put("kube-apiserver, launch only", used.apiServerMsPer(o.tasks()));
        cpuMs.put("bench JVM, launch only (Drover + observer)", used.jvmMsPer(o.tasks()));
        progress.say(
                "  launch only: %.1f launches/s (%.1f s; submitting took %.1f s); CPU per launch: kube-apiserver"
                        + " %.2f ms, bench JVM %.2f ms",
                l.launchesPerSecond(),
                l.seconds(),
                l.submitSeconds(),
                cpuMs.get("kube-apiserver, launch only"),
                cpuMs.get("bench JVM, launch only (Drover + observer)"));
        return l;
    }

    /** The limit for whole tasks: create, simulator, delete, nothing else. */
    private ExecutorBareLifecycle.Result bare(
            KubeHttp rawHttp, KubeHttp watchHttp, String bareNs, CpuMeter cpu, Map<String, Double> cpuMs)
            throws Exception {
        progress.say(
                "bare lifecycles: %,d pods into %s, %d in flight, %d creates at once, delete when terminal",
                o.tasks(), bareNs, o.parallelism(), o.concurrency());
        ExecutorBareLifecycle.Result b = ExecutorBareLifecycle.run(
                rawHttp,
                watchHttp,
                bareNs,
                () -> spec(bareNs),
                o.tasks(),
                o.parallelism(),
                o.concurrency(),
                cpu,
                progress);
        progress.say("  bare: %.1f tasks/s (%.1f s)", b.tasksPerSecond(), b.seconds());
        cpuMs.put("kube-apiserver, bare lifecycle", b.apiServerCpuMsPerTask());
        cpuMs.put("etcd, bare lifecycle", b.etcdCpuMsPerTask());
        cpuMs.put("bench JVM, bare lifecycle (simulator + plain client)", b.benchCpuMsPerTask());
        return b;
    }

    /** The task every phase runs (raw and bare phases create the pod Drover would build for it). */
    TaskSpec spec(String namespace) {
        return TaskSpec.builder("bench")
                .namespace(namespace)
                .image("registry.example/bench:1")
                .command("sleep", "1")
                .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, "run=" + o.run())
                .build();
    }

    /** The PostgreSQL of the run (null when no phase uses it). */
    @Nullable
    PostgresServer postgres() {
        return pg;
    }

    private TaskStore openStore(String kind, Path dir) {
        return switch (kind) {
            case "h2-mem" -> TaskStores.h2InMemory("bench" + System.nanoTime());
            case "h2-file" -> TaskStores.h2(createDirectories(dir).resolve("drover"));
            case "postgres" ->
                TaskStores.fromUrl(Objects.requireNonNull(pg, "postgres").createDatabase());
            default ->
                throw new IllegalArgumentException(
                        "--store takes h2-file, h2-mem or postgres (comma-separated), not " + kind);
        };
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
}
