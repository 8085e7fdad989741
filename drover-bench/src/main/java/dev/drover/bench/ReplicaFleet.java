package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Replica;
import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestUser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Replicas of Drover as users run them, for {@code replicas}: each a JVM of its own ({@link
 * ReplicaProcess}) with a ServiceAccount of its own (the audit log tells them apart), all on one
 * database and one namespace and cluster name of this fleet's own (so fleets of earlier runs never
 * claim its tasks). The bench reads the store as another PostgreSQL role ({@link PgCounters#OBSERVER})
 * and submits as a third ({@link PgCounters#SUBMITTER}), so the server's statement counts tell them
 * from the replicas.
 */
final class ReplicaFleet implements AutoCloseable {
    static final Set<TaskState> IN_FLIGHT = EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);

    /** One replica process. */
    static final class Member {
        final String id;
        final TestUser user;
        final Path log;
        final Process process;

        Member(String id, TestUser user, Path log, Process process) {
            this.id = id;
            this.user = user;
            this.log = log;
            this.process = process;
        }

        /** kill -9: no graceful anything; returns once the process is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        /** SIGTERM (the graceful stop); waits up to {@code max} for the exit. */
        boolean terminate(Duration max) throws InterruptedException {
            process.destroy(); // SIGTERM on Linux
            return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    final TestGround ground;
    final String namespace;
    final String cluster;
    final String database;
    final TaskStore observer;
    private final String replicaUrl;
    private final TaskStore submitStore;
    private final Path dir;
    private final ReplicasBench.Options o;
    private final List<Member> members = new ArrayList<>();

    ReplicaFleet(TestGround ground, PgCounters pg, String name, ReplicasBench.Options o) throws IOException {
        this.ground = ground;
        this.o = o;
        this.namespace = ground.createNamespace(name);
        this.cluster = namespace;
        this.database = namespace.replace('-', '_');
        this.replicaUrl = pg.server().createDatabase(database);

        this.dir = Files.createTempDirectory("drover-bench-replicas-");
        // The replicas' role makes the schema (Flyway) before the bench's roles open it.
        try (TaskStore migrate = TaskStores.fromUrl(replicaUrl)) {
            migrate.countByState();
        }
        this.observer = TaskStores.fromUrl(PgCounters.as(replicaUrl, PgCounters.OBSERVER));
        this.submitStore = TaskStores.fromUrl(PgCounters.as(replicaUrl, PgCounters.SUBMITTER));
    }

    /** Starts replicas {@code ids} at once, each with {@code parallelism}, and waits until the store says all are alive. */
    List<Member> start(List<String> ids, int parallelism, int launchConcurrency) throws Exception {
        return start(ids, i -> parallelism, i -> launchConcurrency);
    }

    /** As above, replica {@code i} with {@code parallelism(i)} and {@code launchConcurrency(i)}. */
    List<Member> start(
            List<String> ids,
            java.util.function.IntUnaryOperator parallelism,
            java.util.function.IntUnaryOperator launchConcurrency)
            throws Exception {
        List<Member> started = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            started.add(startOne(ids.get(i), parallelism.applyAsInt(i), launchConcurrency.applyAsInt(i)));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (Member m : started) {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(m.process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine(); // "ready <id>", or null when it died
            if (line == null || !line.startsWith("ready")) {
                throw new IllegalStateException("replica " + m.id + " did not start: " + tail(m));
            }
        }
        while (!started.stream().allMatch(m -> replica(m.id).map(Replica::alive).orElse(false))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replicas not alive in the store after 90 s: " + ids);
            }
            Thread.sleep(100);
        }
        members.addAll(started);
        return started;
    }

    private Member startOne(String id, int parallelism, int launchConcurrency) throws IOException {
        TestUser user = ground.restrictedUser(
                namespace,
                id,
                RbacRule.of("", "pods", "create", "get", "list", "watch", "patch", "delete"),
                RbacRule.of("", "pods/log", "get"),
                RbacRule.of("", "events", "list", "watch"));
        Path kubeconfig = ground.kubeconfigFor(user, dir.resolve(id + ".kubeconfig"));
        Path log = dir.resolve(id + ".log");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(
                java,
                "-Xmx" + o.replicaHeap(),
                "-XX:+UseSerialGC")); // small heaps, 2 shared cores: no parallel GC threads fighting
        // e.g. BENCH_REPLICA_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/r-%p.jfr' to profile the replicas
        String extra = System.getenv("BENCH_REPLICA_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.strip().split("\\s+")));
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                BenchCommand.class.getName(),
                "replica-process",
                "--store=" + replicaUrl,
                "--kubeconfig=" + kubeconfig,
                "--scheduler-id=" + id,
                "--cluster=" + cluster,
                "--parallelism=" + parallelism,
                "--launch-concurrency=" + launchConcurrency,
                "--heartbeat-ms=" + o.heartbeat().toMillis(),
                "--alive-threshold-ms=" + o.aliveThreshold().toMillis(),
                "--reconcile-ms=" + o.reconcile().toMillis()));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        return new Member(id, user, log, p);
    }

    /** A Drover that only submits (never started), for this fleet's cluster, as the submitter's role. */
    Drover submitter() {
        return Drover.builder(ground.adminConfig(), submitStore)
                .schedulerId("bench-submitter")
                .cluster(cluster)
                .build();
    }

    java.util.Optional<Replica> replica(String id) {
        return observer.replicas(o.aliveThreshold()).stream()
                .filter(r -> r.id().equals(id))
                .findFirst();
    }

    /** Tasks in flight per owner, as the store has them now. */
    Map<String, List<String>> inFlightByOwner() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Task t : observer.list(IN_FLIGHT, 1_000_000)) {
            out.computeIfAbsent(t.owner(), k -> new ArrayList<>()).add(t.id());
        }
        return out;
    }

    List<Task> tasks() {
        return observer.list(Set.of(), 1_000_000);
    }

    long terminalCount() {
        return observer.countByState().entrySet().stream()
                .filter(e -> e.getKey().isTerminal())
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** The last lines a replica wrote to stderr, for an error message. */
    static String tail(Member m) {
        try {
            String s = Files.readString(m.log);
            return s.substring(Math.max(0, s.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Graceful stop of every replica still running (SIGTERM; SIGKILL after 30 s). */
    @Override
    public void close() {
        for (Member m : members) {
            if (m.process.isAlive()) {
                m.process.destroy();
            }
        }
        for (Member m : members) {
            try {
                if (!m.process.waitFor(30, TimeUnit.SECONDS)) {
                    m.process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                m.process.destroyForcibly();
            }
        }
        observer.close();
        submitStore.close();
        // the replicas' logs and kubeconfigs (tokens of this ground)
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir: best effort
        }
    }
}
