package dev.drover.bench;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The log benchmark (issue 10's "archive bytes per log MB" and "heap while a 50 MB log is archived
 * and followed"), on a private test ground with a LEAN simulator: {@link LogsArchiveSize} (tasks
 * writing a known log size, the store's growth per MB of log, on each store asked for), then {@link
 * LogsFollowHeap} (one big log followed with {@code TaskLogs} while it is written, then archived,
 * the JVM's heap sampled throughout). {@code executor --logs} runs the same phases on its own
 * ground after the executor phases.
 */
final class LogsBench {
    static final String UA = "drover-bench-logs";

    /** What to run. */
    record Options(
            int archiveTasks,
            String archiveLog,
            String archiveRun,
            String followLog,
            String followRun,
            String store,
            long gcEveryMs,
            int nodes) {
        List<String> stores() {
            return List.of(store.split(","));
        }

        long archiveLogBytes() {
            return LogsOptions.parseSize("--archive-log", archiveLog);
        }

        long followLogBytes() {
            return LogsOptions.parseSize("--follow-log", followLog);
        }
    }

    /** What the phases found. */
    record Report(
            Options options,
            int cores,
            String java,
            String startedAt,
            double loadAtStart,
            double loadAtEnd,
            List<LogsArchiveSize.Result> archive,
            LogsFollowHeap.Result follow) {}

    /** A store opened for a phase, with a way to tell how much room its log tables take. */
    record Opened(String kind, TaskStore store, String onDiskWhat, LongSupplier onDiskBytes) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    /** Opens a fresh store of a kind (h2-file, h2-mem, postgres). */
    interface StoreOpener {
        Opened open(String kind);
    }

    private final Options o;
    private final Progress progress;

    LogsBench(Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    /** On a ground and simulator of its own. */
    Report run() throws Exception {
        progress.say("logs bench: starting a test ground");
        Path dir = Files.createTempDirectory("drover-bench-logs-");
        try (TestGround ground = TestGround.builder().build().start();
                PostgresServer pg = o.stores().contains("postgres") ? PostgresServer.start() : null) {
            List<String> namespaces = new ArrayList<>();
            for (String kind : o.stores()) {
                namespaces.add(ground.createNamespace("logs-" + kind));
            }
            Config simConfig = new ConfigBuilder(ground.adminConfig())
                    .withUserAgent(ExecutorBench.UA_SIM)
                    .build();
            try (KubernetesClient simClient =
                            new KubernetesClientBuilder().withConfig(simConfig).build();
                    NodeSimulator sim = NodeSimulator.builder(simClient)
                            .nodes(o.nodes())
                            .nodeNamePrefix("logs-")
                            .namespaces(namespaces)
                            .fidelity(Fidelity.LEAN)
                            .build()
                            .start()) {
                Objects.requireNonNull(sim);
                return onGround(ground, namespaces, kind -> open(kind, dir.resolve(kind), pg));
            }
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The phases on a ground whose simulator serves {@code namespaces} (one per store of {@link
     * Options#stores}, in order); the heap phase runs on the first store, in its namespace.
     */
    Report onGround(TestGround ground, List<String> namespaces, StoreOpener stores) throws Exception {
        double load0 = ExecutorStats.loadAverage();
        String startedAt = Instant.now().toString();
        Config config =
                new ConfigBuilder(ground.adminConfig()).withUserAgent(UA).build();
        List<LogsArchiveSize.Result> archive = new ArrayList<>();
        List<String> kinds = o.stores();
        for (int i = 0; i < kinds.size(); i++) {
            try (Opened s = stores.open(kinds.get(i))) {
                archive.add(new LogsArchiveSize(o, progress).run(config, s, namespaces.get(i)));
            }
        }
        LogsFollowHeap.Result follow;
        try (Opened s = stores.open(kinds.getFirst())) {
            follow = new LogsFollowHeap(o, progress).run(config, s, namespaces.getFirst());
        }
        return new Report(
                o,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version().toString(),
                startedAt,
                load0,
                ExecutorStats.loadAverage(),
                archive,
                follow);
    }

    /**
     * A fresh store: h2-file in {@code dir} (room taken: its file's growth), h2-mem (not measured),
     * postgres: a new database on {@code pg} (room taken: {@code pg_total_relation_size} of the two
     * log tables, their TOAST and indexes included).
     */
    static Opened open(String kind, Path dir, @Nullable PostgresServer pg) {
        switch (kind) {
            case "h2-file" -> {
                Path file = dir.resolve("drover");
                TaskStore store = TaskStores.h2(mkdirs(dir).resolve("drover"));
                Path mv = file.resolveSibling("drover.mv.db");
                return new Opened(kind, store, "H2 file size", () -> {
                    try {
                        return Files.size(mv);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            case "h2-mem" -> {
                return new Opened(
                        kind, TaskStores.h2InMemory("bench" + System.nanoTime()), "not measured (in memory)", () -> -1);
            }
            case "postgres" -> {
                String url = Objects.requireNonNull(pg, "postgres").createDatabase();
                return new Opened(
                        kind,
                        TaskStores.fromUrl(url),
                        "pg_total_relation_size(task_logs) + (task_log_chunks)",
                        () -> logTablesSize(url));
            }
            default ->
                throw new IllegalArgumentException(
                        "--logs-store takes h2-file, h2-mem or postgres (comma-separated), not " + kind);
        }
    }

    private static long logTablesSize(String url) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT pg_total_relation_size('task_logs') + pg_total_relation_size('task_log_chunks')")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the log tables' size: " + e.getMessage(), e);
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
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
