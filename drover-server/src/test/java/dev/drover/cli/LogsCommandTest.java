package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Drover;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code drover logs}: the archive once a try has ended (its pod gone), the live pod before; the same output. */
@KubernetesTest
class LogsCommandTest {
    private NodeSimulator sim;
    private KubernetesClient client;
    private String store;
    private String kubeconfig;
    private TaskStore worker;
    private Drover drover;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace ns) {
        this.client = client;
        sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodeNamePrefix(ns.name() + "-")
                .build()
                .start();
        store = "jdbc:h2:mem:logs" + ThreadLocalRandom.current().nextInt(1 << 30)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        kubeconfig = ground.kubeconfig().toString();
        // The worker: a Drover on the same store, as `drover worker` would run it.
        worker = TaskStores.fromUrl(store);
        drover = Drover.builder(ground.adminConfig(), worker)
                .schedulerId("logs-" + ns.name())
                .cluster("logs-test")
                .tick(Duration.ofMillis(100))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        drover.close();
        worker.close();
        sim.close();
    }

    private record Run(int exit, String out, String err) {}

    private Run drover(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = DroverCommand.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Run logs(String id, String... more) {
        List<String> all = new ArrayList<>(List.of("logs", id, "--store", store, "--kubeconfig", kubeconfig));
        all.addAll(List.of(more));
        return drover(all.toArray(String[]::new));
    }

    private String submit(TestNamespace ns, String behavior, String... more) {
        List<String> all = new ArrayList<>(List.of(
                "submit",
                "--store",
                store,
                "--kubeconfig",
                kubeconfig,
                "--cluster",
                "logs-test",
                "-n",
                ns.name(),
                "--annotation",
                NodeSimulator.BEHAVIOR_ANNOTATION + "=" + behavior));
        all.addAll(List.of(more));
        all.add("busybox:1.36");
        Run r = drover(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().strip();
    }

    private void awaitState(String id, TaskState s) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> worker.get(id).orElseThrow().state() == s);
    }

    @Test
    void theLogOfASucceededTaskWhosePodWasDeletedComesFromTheArchive(TestNamespace ns) {
        String id = submit(ns, "run=500ms; log=alpha|beta|gamma");
        awaitState(id, TaskState.SUCCEEDED);
        String pod = worker.get(id).orElseThrow().podName();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.pods().inNamespace(ns.name()).withName(pod).get() == null);

        Run all = logs(id);
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).isEqualTo("alpha\nbeta\ngamma\n");
        assertThat(logs(id, "--tail", "1").out()).isEqualTo("gamma\n");
        assertThat(logs(id, "--try", "1", "-c", "main").out()).isEqualTo("alpha\nbeta\ngamma\n");
    }

    @Test
    void followPrintsARunningTasksLogUntilTheContainerEndsTheSameAsTheArchiveAfterwards(TestNamespace ns) {
        List<String> lines =
                IntStream.rangeClosed(1, 40).mapToObj(i -> "line-" + i).toList();
        String id = submit(ns, "run=4s; log=" + String.join("|", lines));
        awaitState(id, TaskState.RUNNING);

        Run followed = logs(id, "-f");
        assertThat(followed.exit()).as(followed.err()).isZero();
        assertThat(followed.out()).isEqualTo(lines.stream().map(l -> l + "\n").collect(Collectors.joining()));

        awaitState(id, TaskState.SUCCEEDED);
        assertThat(logs(id).out()).as("the archive gives what the pod gave").isEqualTo(followed.out());
    }

    @Test
    void anUnknownTaskTryOrContainerIsAClearError(TestNamespace ns) {
        String id = submit(ns, "run=200ms; log=only");
        awaitState(id, TaskState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> logs(id).exit() == 0);

        Run noTask = logs("no-such-task");
        assertThat(noTask.exit()).isEqualTo(2);
        assertThat(noTask.err()).contains("no task with id 'no-such-task'");
        Run noTry = logs(id, "--try", "2");
        assertThat(noTry.exit()).isEqualTo(2);
        assertThat(noTry.err()).contains("try 2: task " + id + " has only try 1");
        Run noContainer = logs(id, "-c", "sidecar");
        assertThat(noContainer.exit()).isEqualTo(2);
        assertThat(noContainer.err()).contains("container sidecar: task " + id + " try 1 has logs of main");
        assertThat(logs(id, "--try", "0").err()).contains("--try must be 1 or more");
    }

    @Test
    void aLogThatCouldNotBeReadBeforeThePodWentSaysWhyAndTheTaskStillEnded(TestNamespace ns) {
        // Its node is lost: the kubelet answers no log request; the run timeout ends the try.
        String id = submit(ns, "run=60s; log=never|seen; lose-node=200ms", "--run-timeout", "3s");
        awaitState(id, TaskState.FAILED);
        assertThat(worker.get(id).orElseThrow().failure().reason()).isEqualTo("RunTimeout");

        Run r = logs(id);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("task " + id + " try 1 container main: log unavailable:");
    }
}
