package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover run --wait}: it runs its own task only, and leaves nothing behind unsaid. */
@KubernetesTest
class RunCommandTest {
    private static final String BEHAVIOR = NodeSimulator.BEHAVIOR_ANNOTATION;
    private NodeSimulator sim;
    private String store;
    private String kubeconfig;
    private String ns;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) {
        ns = namespace.name();
        sim = NodeSimulator.builder(client)
                .namespaces(ns)
                .nodeNamePrefix(ns + "-")
                .build()
                .start();
        store = "jdbc:h2:file:" + dir.resolve("tasks") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE";
        kubeconfig = ground.kubeconfig().toString();
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private record Run(int exit, String out, String err) {}

    /** The CLI in this JVM, stdout and stderr captured. */
    private static Run drover(String... args) {
        Cli.Run r = Cli.run(args);
        return new Run(r.exit(), r.out(), r.err());
    }

    /** The CLI in a child JVM (its own process: signals, host name), with {@code env} added. */
    private static Process child(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DroverCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb.start();
    }

    private String[] run(String... rest) {
        List<String> all = new ArrayList<>(List.of("run", "--kubeconfig", kubeconfig, "--store", store, "-n", ns));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private Task only(String name) {
        try (TaskStore s = TaskStores.fromUrl(store)) {
            return s.list(Set.of(), 100).stream()
                    .filter(t -> t.spec().name().equals(name))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void runWaitRunsItsOwnTaskAndLeavesTheRestOfTheQueueAlone() {
        Run queued = drover(
                "submit",
                "--kubeconfig",
                kubeconfig,
                "--store",
                store,
                "-n",
                ns,
                "--name",
                "queued",
                "--annotation",
                BEHAVIOR + "=run=200ms",
                "busybox:1.36",
                "--",
                "true");
        assertThat(queued.exit()).as(queued.err()).isZero();

        Run mine = drover(run(
                "--wait",
                "--name",
                "mine",
                "--annotation",
                BEHAVIOR + "=run=200ms",
                "busybox:1.36",
                "--",
                "echo",
                "hi"));

        assertThat(mine.exit()).as(mine.err()).isZero();
        Task other = only("queued");
        assertThat(other.state()).isEqualTo(TaskState.QUEUED);
        assertThat(other.owner()).isNull();
    }

    @Test
    void aWaitTimeoutCancelsTheTaskAndSaysSo(KubernetesClient client) {
        Run r = drover(run(
                "--wait",
                "--wait-timeout",
                "3",
                "--name",
                "slow",
                "--annotation",
                BEHAVIOR + "=run=60s",
                "busybox:1.36",
                "--",
                "sleep",
                "60"));

        assertThat(r.exit()).as(r.err()).isEqualTo(RunCommand.TIMED_OUT);
        assertThat(r.err()).contains("did not end within 3 s (--wait-timeout)").contains("it is CANCELLED now");
        Task t = only("slow");
        assertThat(t.state()).isEqualTo(TaskState.CANCELLED);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.pods().inNamespace(ns).withName(t.podName()).get() == null);
    }

    @Test
    void withKeepRunningATimedOutTaskIsLeftRunningAndTheUserToldWhoFinishesIt() {
        Run r = drover(run(
                "--wait",
                "--wait-timeout",
                "3",
                "--keep-running",
                "--scheduler-id",
                "runner-" + ns,
                "--name",
                "slow",
                "--annotation",
                BEHAVIOR + "=run=60s",
                "busybox:1.36",
                "--",
                "sleep",
                "60"));

        assertThat(r.exit()).as(r.err()).isEqualTo(RunCommand.TIMED_OUT);
        assertThat(r.err()).contains("it keeps running").contains("drover worker --scheduler-id runner-" + ns);
        assertThat(only("slow").state()).isIn(TaskState.PENDING, TaskState.RUNNING);
    }

    @Test
    void ctrlCCancelsTheTaskAndSaysSo(KubernetesClient client) throws Exception {
        Process p = child(
                Map.of(),
                run(
                        "--wait",
                        "--name",
                        "stopped",
                        "--annotation",
                        BEHAVIOR + "=run=60s",
                        "busybox:1.36",
                        "--",
                        "sleep",
                        "60"));
        StringBuffer err = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        err.append((char) b);
                    }
                });
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        try {
            // Its own state lines say when it runs (the store is the child's to open meanwhile).
            await().atMost(Duration.ofSeconds(60)).until(() -> err.toString().contains(" RUNNING"));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();

            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
            assertThat(err.toString())
                    .contains("was still running when this command was stopped")
                    .contains("CANCELLED");
            assertThat(p.exitValue()).isEqualTo(130);
            Task t = only("stopped");
            assertThat(t.state()).isEqualTo(TaskState.CANCELLED);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            client.pods().inNamespace(ns).withName(t.podName()).get() == null);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aLongHostNameStillGivesAValidSchedulerId() throws Exception {
        String host =
                "ip-10-0-0-1.eu-west-1.compute.internal.a-very-long-clustername-tail-part"; // a cut to 63 ends on a -
        Process p = child(
                Map.of("HOSTNAME", host),
                run(
                        "--wait",
                        "--name",
                        "hosted",
                        "--annotation",
                        BEHAVIOR + "=run=200ms",
                        "busybox:1.36",
                        "--",
                        "true"));
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("SUCCEEDED");
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aSubmitToANamespaceThatDoesNotExistIsRefusedNamingTheFlag() {
        Run r = drover(
                "submit", "--kubeconfig", kubeconfig, "--store", store, "-n", "no-such-namespace", "busybox:1.36");
        Run fine = drover("submit", "--kubeconfig", kubeconfig, "--store", store, "-n", ns, "busybox:1.36");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("drover: -n/--namespace: namespace 'no-such-namespace' does not exist in cluster");
        assertThat(fine.exit()).as(fine.err()).isZero();
        try (TaskStore s = TaskStores.fromUrl(store)) {
            assertThat(s.list(Set.of(), 10)).hasSize(1); // only the good one
        }
    }

    @Test
    void anInvalidSchedulerIdIsRefusedNamingTheFlag() {
        Run r = drover(run("--wait", "--scheduler-id", "Bad_ID", "busybox:1.36", "--", "true"));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("drover: --scheduler-id 'Bad_ID' must be a valid label value");
        assertThat(Files.exists(Path.of(store.substring("jdbc:h2:file:".length(), store.indexOf(';')) + ".mv.db")))
                .as("nothing was stored")
                .isFalse();
    }
}
