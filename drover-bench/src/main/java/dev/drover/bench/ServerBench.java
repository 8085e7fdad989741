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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The server benchmark: {@code drover server}'s REST API and watch beside the same work done
 * in-process, on one private test ground. Per store: the submit rate ({@link ServerSubmitRate}), the
 * read latencies at each size ({@link ServerReads}); on the first store: the watch's fan-out while
 * tasks run ({@link ServerFanOut}). {@link ServerTables} prints the report.
 */
final class ServerBench {
    static final List<String> STORES = List.of("h2-file", "h2-mem", "postgres");

    record Options(
            int submitTasks,
            int submitBatch,
            int clients,
            List<Integer> sizes,
            int getReads,
            int listReads,
            int watchers,
            int runTasks,
            String run,
            int nodes,
            List<String> stores,
            long timeoutSeconds,
            boolean smoke) {}

    record Report(
            Options options,
            String jvm,
            String startedAt,
            double loadAtStart,
            double loadAtEnd,
            List<ServerSubmitRate.Result> submit,
            List<ServerReads.SizeResult> reads,
            List<ServerFanOut.Result> fanOut) {}

    private final Options o;
    private final Progress progress;
    private @Nullable PostgresServer pg;

    ServerBench(Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Report run() throws Exception {
        double load0 = ExecutorStats.loadAverage();
        String startedAt = Instant.now().toString();
        progress.say(
                "server bench: submit %,d tasks, reads at %s, fan-out %d watchers x %,d tasks; stores %s; starting a"
                        + " test ground",
                o.submitTasks(), o.sizes(), o.watchers(), o.runTasks(), o.stores());
        Path dir = Files.createTempDirectory("drover-bench-server-");
        try (TestGround ground = TestGround.builder()
                        .apiServerFlag("--max-requests-inflight=800")
                        .apiServerFlag("--max-mutating-requests-inflight=400")
                        .build()
                        .start();
                PostgresServer pg = o.stores().contains("postgres") ? PostgresServer.start() : null) {
            this.pg = pg;
            String submitNs = ground.createNamespace("submit");
            String baseNs = ground.createNamespace("fanout-base");
            String watchNs = ground.createNamespace("fanout-watch");
            String warmNs = ground.createNamespace("fanout-warm");
            Config kube = ground.adminConfig();
            List<ServerSubmitRate.Result> submit = new ArrayList<>();
            List<ServerReads.SizeResult> reads = new ArrayList<>();
            for (String kind : o.stores()) {
                submit.addAll(new ServerSubmitRate(o, progress)
                        .run(kube, kind, submitNs, name -> open(kind, dir.resolve(kind + "-" + name)), dir));
                reads.addAll(new ServerReads(o, progress)
                        .run(kube, kind, submitNs, open(kind, dir.resolve(kind + "-reads")), dir));
            }
            List<ServerFanOut.Result> fanOut = new ArrayList<>();
            Config simConfig =
                    new ConfigBuilder(kube).withUserAgent("drover-bench-sim").build();
            try (KubernetesClient simClient =
                            new KubernetesClientBuilder().withConfig(simConfig).build();
                    NodeSimulator sim = NodeSimulator.builder(simClient)
                            .nodes(o.nodes())
                            .nodeNamePrefix("bench-")
                            .namespaces(List.of(warmNs, baseNs, watchNs))
                            .fidelity(Fidelity.LEAN)
                            .build()
                            .start()) {
                CpuMeter cpu = CpuMeter.of(ground);
                String kind = o.stores().getFirst();
                ServerFanOut f = new ServerFanOut(o, progress);
                // An untimed warm-up first (class loading, JIT of the scheduler's and the watch's paths), so
                // the run without watchers does not pay for what the run with them then gets for free.
                f.run(
                        kube,
                        cpu,
                        kind,
                        warmNs,
                        open(kind, dir.resolve("fanout-warm")),
                        dir,
                        Math.min(10, o.watchers()),
                        Math.min(200, o.runTasks()));
                fanOut.add(f.run(kube, cpu, kind, baseNs, open(kind, dir.resolve("fanout-0")), dir, 0, o.runTasks()));
                fanOut.add(f.run(
                        kube,
                        cpu,
                        kind,
                        watchNs,
                        open(kind, dir.resolve("fanout-n")),
                        dir,
                        o.watchers(),
                        o.runTasks()));
            }
            return new Report(
                    o,
                    Runtime.version().toString(),
                    startedAt,
                    load0,
                    ExecutorStats.loadAverage(),
                    submit,
                    reads,
                    fanOut);
        } finally {
            deleteTree(dir);
        }
    }

    /** A fresh store of this kind (h2-file in {@code dir}; postgres: a new database). */
    TaskStore open(String kind, Path dir) {
        return switch (kind) {
            case "h2-mem" -> TaskStores.h2InMemory("bench" + System.nanoTime());
            case "h2-file" -> TaskStores.h2(mkdirs(dir).resolve("drover"));
            case "postgres" ->
                TaskStores.fromUrl(Objects.requireNonNull(pg, "postgres").createDatabase());
            default -> throw new IllegalArgumentException("--store takes " + STORES + ", not " + kind);
        };
    }

    /** The task of every phase; labels {@code team} (8 values) and {@code app} (50) for the selectors. */
    static TaskSpec spec(String namespace, int i) {
        return TaskSpec.builder("bench")
                .namespace(namespace)
                .image("registry.example/bench:1")
                .command("sleep", "1")
                .label("team", "t" + (i % 8))
                .label("app", "a" + (i % 50))
                .build();
    }

    /** {@link #spec} as a submit's JSON (a mutable map). */
    static Map<String, Object> specJson(String namespace, int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "bench");
        m.put("namespace", namespace);
        m.put("image", "registry.example/bench:1");
        m.put("command", List.of("sleep", "1"));
        m.put("labels", Map.of("team", "t" + (i % 8), "app", "a" + (i % 50)));
        return m;
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
