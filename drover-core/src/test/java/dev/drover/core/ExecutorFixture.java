package dev.drover.core;

import static org.awaitility.Awaitility.await;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.kube.KubeApi;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.PostgresServer;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A namespace with simulated nodes, a store (H2 in memory unless given) and a Drover, for one test. */
final class ExecutorFixture implements AutoCloseable {
    static final String BEHAVIOR = NodeSimulator.BEHAVIOR_ANNOTATION;
    final String ns;
    final KubernetesClient admin;
    /** Drover's own HTTP client, with the admin's credentials (for a Launcher outside a Drover). */
    final KubeApi api;

    final TaskStore store;
    final Config config;
    final String schedulerId =
            "sched-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    final NodeSimulator sim;
    Drover drover;

    ExecutorFixture(TestGround ground, String ns) {
        this(ground, ns, ground.adminConfig());
    }

    ExecutorFixture(TestGround ground, String ns, Config config) {
        this(ground, ns, config, h2Store());
    }

    ExecutorFixture(TestGround ground, String ns, Config config, TaskStore store) {
        this.ns = ns;
        this.config = config;
        this.admin = ground.adminClient();
        this.api = KubeApi.builder(config).build();
        this.store = store;
        this.sim = NodeSimulator.builder(admin)
                .namespaces(ns)
                .nodes(2)
                .nodeNamePrefix(ns + "-")
                .fidelity(Fidelity.FULL)
                .build()
                .start();
    }

    static TaskStore h2Store() {
        return TaskStores.h2InMemory("t" + ThreadLocalRandom.current().nextInt(1 << 30));
    }

    /** A new database on the test kit's PostgreSQL server. */
    static TaskStore postgresStore() {
        PostgresServer server = PostgresServer.shared();
        return TaskStores.postgres(server.createDatabase(), server.user(), server.password());
    }

    Drover startDrover() {
        return startDrover(b -> b);
    }

    /** Starts the Drover with the fixture's settings and then {@code more}. */
    Drover startDrover(java.util.function.UnaryOperator<Drover.Builder> more) {
        drover = more.apply(
                        Drover.builder(config, store).schedulerId(schedulerId).tick(Duration.ofMillis(100)))
                .build()
                .start();
        return drover;
    }

    TaskSpec.Builder task(String name, String behavior) {
        TaskSpec.Builder b = TaskSpec.builder(name)
                .namespace(ns)
                .image("registry.example/app:1")
                .command("run", name);
        if (behavior != null) {
            b.annotation(BEHAVIOR, behavior);
        }
        return b;
    }

    /** {@code spec} with another pod override, not checked: as a caller bypassing the builder would hand it in. */
    static TaskSpec unchecked(TaskSpec s, String podOverride) {
        return new TaskSpec(
                s.name(),
                s.namespace(),
                s.image(),
                s.command(),
                s.args(),
                s.env(),
                s.requests(),
                s.limits(),
                s.podTemplate(),
                podOverride,
                s.labels(),
                s.annotations(),
                s.retries(),
                s.retryBackoff(),
                s.startupTimeout(),
                s.runTimeout(),
                s.cleanup(),
                s.infraRetries());
    }

    Task runToEnd(TaskSpec spec) throws Exception {
        return drover.submit(spec).result().get(60, TimeUnit.SECONDS);
    }

    /** Waits until the task of {@code h} has ended (in the store), and returns it. */
    Task awaitEnd(TaskHandle h) {
        // Generous: a 50 MB log is read and archived before its try ends.
        await().atMost(Duration.ofSeconds(120))
                .until(() -> store.get(h.id()).orElseThrow().state().isTerminal());
        return store.get(h.id()).orElseThrow();
    }

    List<TaskState> states(String id) {
        return store.transitions(id).stream().map(t -> t.to()).toList();
    }

    @Override
    public void close() {
        if (drover != null) {
            drover.close();
        }
        sim.close();
        store.close();
        api.close();
        admin.close();
    }
}
