package dev.drover.cli;

import static org.awaitility.Awaitility.await;

import dev.drover.core.Drover;
import dev.drover.core.Replica;
import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.PostgresServer;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replicas as users run them: each a {@code drover worker} in a JVM of its own, with credentials of
 * its own (so the audit log tells who did what), on one PostgreSQL store and one namespace, with
 * simulated nodes; and a Drover that only submits. Short heartbeats, so takeovers happen in seconds.
 */
final class Fleet implements AutoCloseable {
    static final String CLUSTER = "fleet";
    final TestGround ground;
    final String ns;
    final Duration heartbeat;
    final Duration alive;
    final String storeUrl;
    final TaskStore store;
    final Path dir;
    final NodeSimulator sim;
    private final List<Worker> workers = new ArrayList<>();
    /** The workers' reconcile interval: also how often they settle the pods of replicas not alive. */
    Duration reconcile = Duration.ofSeconds(2);

    private final KubernetesClient admin;

    final PostgresServer pg;

    /** On the JVM's shared PostgreSQL server. */
    Fleet(TestGround ground, String ns, Duration heartbeat, Duration alive) throws IOException {
        this(ground, ns, heartbeat, alive, PostgresServer.shared());
    }

    /** On {@code pg} (e.g. a server of the test's own, to take down). */
    Fleet(TestGround ground, String ns, Duration heartbeat, Duration alive, PostgresServer pg) throws IOException {
        this.ground = ground;
        this.ns = ns;
        this.heartbeat = heartbeat;
        this.alive = alive;
        this.pg = pg;
        this.storeUrl = pg.createDatabase();
        this.store = TaskStores.fromUrl(storeUrl);
        this.dir = Files.createTempDirectory("drover-fleet-");
        this.admin = ground.adminClient();
        this.sim = NodeSimulator.builder(admin)
                .namespaces(ns)
                .nodes(3)
                .nodeNamePrefix(ns + "-")
                .fidelity(Fidelity.LEAN)
                .build()
                .start();
    }

    /** One replica of the scheduler. */
    final class Worker {
        final String id;
        final TestUser user;
        final Path log;
        Process process;

        Worker(String id, TestUser user, Path log) {
            this.id = id;
            this.user = user;
            this.log = log;
        }

        /** kill -9: no graceful anything. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** SIGTERM: the graceful stop. */
        void terminate() throws Exception {
            signal("TERM");
        }

        void pause() throws Exception {
            signal("STOP");
        }

        void resume() throws Exception {
            signal("CONT");
        }

        private void signal(String name) throws Exception {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .start()
                    .waitFor();
        }

        String logText() throws IOException {
            return Files.readString(log);
        }
    }

    /** Starts a worker in a JVM of its own and waits until the store says it is alive. */
    Worker start(String id, int parallelism) throws Exception {
        Worker w = launch(id, id, parallelism);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!w.process.isAlive()) {
                        throw new IllegalStateException("worker " + id + " ended: " + w.logText());
                    }
                    return replica(id).map(Replica::alive).orElse(false);
                });
        return w;
    }

    /** Starts a worker with scheduler id {@code id}, acting as the apiserver user {@code userName}; does not wait. */
    Worker launch(String id, String userName, int parallelism) throws Exception {
        TestUser user = ground.restrictedUser(
                ns,
                userName,
                RbacRule.of("", "pods", "create", "get", "list", "watch", "patch", "delete"),
                RbacRule.of("", "pods/log", "get"),
                RbacRule.of("", "events", "list", "watch"));
        Path kubeconfig = ground.kubeconfigFor(user, dir.resolve(userName + ".kubeconfig"));
        Worker w = new Worker(id, user, dir.resolve(userName + ".log"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                DroverCommand.class.getName(),
                "worker",
                "--store",
                storeUrl,
                "--kubeconfig",
                kubeconfig.toString(),
                "--cluster",
                CLUSTER,
                "--scheduler-id",
                id,
                "--parallelism",
                Integer.toString(parallelism),
                "--heartbeat-interval",
                heartbeat.toMillis() + "ms",
                "--alive-threshold",
                alive.toMillis() + "ms",
                "--reconcile-interval",
                reconcile.toMillis() + "ms"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(w.log.toFile());
        pb.environment().put("DROVER_LOG", "info");
        w.process = pb.start();
        workers.add(w);
        return w;
    }

    java.util.Optional<Replica> replica(String id) {
        return store.replicas(alive).stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** A Drover that only submits and cancels, for the fleet's cluster. */
    Drover client() {
        return Drover.builder(ground.adminConfig(), store)
                .schedulerId("client")
                .cluster(CLUSTER)
                .build();
    }

    static final Set<TaskState> TERMINAL = EnumSet.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED);

    List<Task> tasks() {
        return store.list(Set.of(), 100_000);
    }

    /** Tasks in flight per owner. */
    Map<String, List<String>> inFlightByOwner() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Task t : store.list(EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING), 100_000)) {
            out.computeIfAbsent(t.owner(), k -> new ArrayList<>()).add(t.id());
        }
        return out;
    }

    KubernetesClient admin() {
        return admin;
    }

    /** The workers' logs, for a failing test's message. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (Worker w : workers) {
            try {
                String text = w.logText();
                b.append("--- ").append(w.id).append('\n').append(text.substring(Math.max(0, text.length() - 4000)));
            } catch (IOException e) {
                b.append("--- ").append(w.id).append(": ").append(e);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            try {
                w.resume(); // a paused one must be able to die
            } catch (Exception ignored) {
                // gone already
            }
            w.process.destroyForcibly();
        }
        sim.close();
        store.close();
        admin.close();
    }
}
