package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.server.DroverServer;
import dev.drover.server.ServedDrover;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.LoopbackTls;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --server}: submit, status, list, cancel and logs through a real {@code drover server} (its
 * REST API) on the test ground, printing what the same command prints against the store, and never
 * opening a store or a kubeconfig themselves.
 */
@KubernetesTest
class RemoteCommandsTest {
    static final String READ = ServedDrover.READ;
    static final String SUBMIT = ServedDrover.SUBMIT;

    private ServedDrover served;
    private String storeUrl;
    private TaskStore store;
    private Drover drover;
    private DroverServer server;
    private String url;
    private String ns;
    private Path dir;
    private Path tokens;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) {
        this.dir = dir;
        ns = namespace.name();
        served = ServedDrover.start(ground, client, ns, dir, "remote-" + ns, b -> b.cluster("remote-test"), b -> b);
        storeUrl = served.storeUrl;
        store = served.store;
        drover = served.drover;
        tokens = served.tokens;
        server = served.server;
        url = server.url();
    }

    private DroverServer serve(DroverServer.Builder b) {
        return served.serve(b);
    }

    @AfterEach
    void tearDown() {
        served.close();
    }

    /** The command against the server, with a token. */
    private Cli.Run remote(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, List.of("--server", url, "--token", token)); // before a `--`
        return Cli.run(all.toArray(String[]::new));
    }

    /** The same command against the server's store, as a machine with database access runs it. */
    private Cli.Run local(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--store", storeUrl));
        return Cli.run(all.toArray(String[]::new));
    }

    private String submitRemotely(String behavior, String... more) {
        List<String> all = new ArrayList<>(
                List.of("submit", "-n", ns, "--annotation", NodeSimulator.BEHAVIOR_ANNOTATION + "=" + behavior));
        all.addAll(List.of(more));
        if (!all.contains("--")) {
            all.add("busybox:1.36");
        }
        Cli.Run r = remote(SUBMIT, all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().strip();
    }

    private Task awaitState(String id, TaskState state) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> store.get(id).orElseThrow().state() == state);
        return store.get(id).orElseThrow();
    }

    @Test
    void aTaskSubmittedRemotelyRunsAndStatusListAndLogsPrintWhatTheLocalCommandsPrint() throws Exception {
        String id = submitRemotely(
                "run=300ms; log=alpha|beta", "--label", "team=etl", "--retries", "1", "busybox:1.36", "--", "echo");
        assertThat(id).matches("[a-z0-9]+");
        String other = submitRemotely("run=100ms; exit=3", "--name", "broken");
        Task done = awaitState(id, TaskState.SUCCEEDED);
        awaitState(other, TaskState.FAILED);
        assertThat(done.spec().labels()).containsEntry("team", "etl");
        assertThat(done.spec().retries()).isEqualTo(1);
        assertThat(done.spec().command()).containsExactly("echo");
        assertThat(done.cluster()).as("the server's cluster").isEqualTo("remote-test");

        for (String[] command : List.of(
                new String[] {"status", id},
                new String[] {"status", id, "-o", "json"},
                new String[] {"status", other},
                new String[] {"status", other, "-o", "json"},
                new String[] {"list"},
                new String[] {"list", "--state", "failed,succeeded", "--limit", "20"},
                new String[] {"list", "--state", "failed"})) {
            assertSamePrinted(command);
        }
        assertThat(remote(READ, "status", other).out()).contains("exit code 3");

        // list -o json: the server's list has summaries; the same but for infraFailures and failure details
        JsonNode there =
                TaskView.JSON.readTree(remote(READ, "list", "-o", "json").out());
        ArrayNode here =
                (ArrayNode) TaskView.JSON.readTree(local("list", "-o", "json").out());
        for (JsonNode n : here) {
            ObjectNode o = (ObjectNode) n;
            o.remove("infraFailures");
            if (o.get("failure").isObject()) {
                o.remove("failure");
                o.put(
                        "failureSummary",
                        store.get(o.get("id").asText()).orElseThrow().failure().summary());
            }
        }
        assertThat(there).isEqualTo(here);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(remote(READ, "logs", id).out()).isEqualTo("alpha\nbeta\n"));
        for (String[] command :
                List.of(new String[] {"logs", id}, new String[] {"logs", id, "--tail", "1"}, new String[] {
                    "logs", id, "--try", "1", "-c", "main"
                })) {
            assertThat(remote(READ, command).out())
                    .as(String.join(" ", command))
                    .isEqualTo(local(command).out());
        }
        Cli.Run noContainer = remote(READ, "logs", id, "-c", "side");
        assertThat(noContainer.exit()).isEqualTo(2);
        assertThat(noContainer.errLines())
                .isEqualTo("drover: server " + url + ": container side: task " + id + " try 1 has logs of main\n");
    }

    private void assertSamePrinted(String... command) {
        Cli.Run there = remote(READ, command);
        Cli.Run here = local(command);
        assertThat(there.exit())
                .as(String.join(" ", command) + ": " + there.err())
                .isZero();
        assertThat(there.out()).as(String.join(" ", command)).isEqualTo(here.out());
        assertThat(there.errLines()).as(String.join(" ", command)).isEqualTo(here.errLines());
    }

    /** What the API's list gives besides items (counts, nextCursor, labelSelector): counts, the more-hint, --selector. */
    @Test
    void countsTheLimitsHintAndSelectorsPrintWhatTheLocalCommandsPrint() {
        String labelled = submitRemotely("run=100ms", "--label", "team=etl");
        String plain = submitRemotely("run=100ms");
        awaitState(labelled, TaskState.SUCCEEDED);
        awaitState(plain, TaskState.SUCCEEDED);
        for (String[] command : List.of(
                new String[] {"status"},
                new String[] {"status", "-o", "json"},
                new String[] {"list", "--limit", "1"},
                new String[] {"list", "--state", "succeeded", "--limit", "1"},
                new String[] {"list", "--selector", "team=etl"},
                new String[] {"list", "--selector", "team=etl", "--limit", "1"})) {
            assertSamePrinted(command);
        }
        assertThat(remote(READ, "list", "--selector", "team=etl").out())
                .contains(labelled)
                .doesNotContain(plain);
        assertThat(remote(READ, "list", "--limit", "1").errLines()).isEqualTo("(1 more; --limit 2 shows all 2)\n");
    }

    @Test
    void logsFollowPrintsARunningTasksLogAsItComesUntilTheContainerEnds() throws Exception {
        List<String> lines =
                IntStream.rangeClosed(1, 40).mapToObj(i -> "line-" + i).toList();
        String id = submitRemotely("run=8s; log=" + String.join("|", lines));
        awaitState(id, TaskState.RUNNING);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] exit = {-1};
        Thread follow = Thread.ofVirtual().start(() -> {
            CommandLine cl = DroverCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true));
            PrintStream old = System.out;
            // the command prints to System.out: this thread's commands are the only ones running
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                exit[0] = cl.execute("logs", id, "-f", "--server", url, "--token", READ);
            } finally {
                System.setOut(old);
            }
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> out.toString(StandardCharsets.UTF_8).contains("line-2\n"));
        assertThat(store.get(id).orElseThrow().state())
                .as("lines arrive while the task runs")
                .isEqualTo(TaskState.RUNNING);
        follow.join(Duration.ofSeconds(60));
        assertThat(exit[0]).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(lines.stream().map(l -> l + "\n").collect(Collectors.joining()));
        awaitState(id, TaskState.SUCCEEDED);
    }

    @Test
    void cancelAsksTheServerAndEndsAsTheLocalCommandDoes() {
        String id = submitRemotely("run=60s");
        awaitState(id, TaskState.RUNNING);

        Cli.Run asked = remote(SUBMIT, "cancel", id);
        assertThat(asked.exit()).as(asked.err()).isZero();
        assertThat(asked.out()).isEqualTo("cancel requested for " + id + "\n");
        awaitState(id, TaskState.CANCELLED);

        for (String[] command : List.of(new String[] {"cancel", id}, new String[] {"cancel", id, "-o", "json"})) {
            Cli.Run there = remote(SUBMIT, command);
            Cli.Run here = local(command);
            assertThat(there.exit()).as("already ended").isEqualTo(1).isEqualTo(here.exit());
            assertThat(there.out()).isEqualTo(here.out());
        }
        Cli.Run unknown = remote(SUBMIT, "cancel", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.errLines())
                .isEqualTo("drover: server " + url + ": no task 'nope' (GET /api/v1/tasks lists the tasks)\n");
    }

    @Test
    void aFileOfTasksGoesAsOneBatchAllOrNoneAndABadFileFailsAsItDoesLocally() throws IOException {
        Path file = dir.resolve("tasks.yaml");
        Files.writeString(file, """
                - name: extract
                  namespace: %1$s
                  image: busybox:1.36
                  annotations: {%2$s: "run=100ms"}
                - namespace: %1$s
                  image: busybox:1.36
                  args: [echo, hi]
                  annotations: {%2$s: "run=100ms"}
                """.formatted(ns, NodeSimulator.BEHAVIOR_ANNOTATION));
        Cli.Run r = remote(SUBMIT, "submit", "-f", file.toString(), "-o", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode printed = TaskView.JSON.readTree(r.out());
        assertThat(printed.findValuesAsText("name")).containsExactly("extract", "busybox");
        assertThat(printed.findValuesAsText("state")).containsExactly("QUEUED", "QUEUED");
        for (String id : printed.findValuesAsText("id")) {
            awaitState(id, TaskState.SUCCEEDED);
        }

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "- image: busybox:1.36\n  startupTimeout: 5x\n");
        Cli.Run there = remote(SUBMIT, "submit", "-f", bad.toString());
        Cli.Run here = local("submit", "-f", bad.toString(), "--cluster", "remote-test");
        assertThat(there.exit()).isEqualTo(2).isEqualTo(here.exit());
        assertThat(there.errLines()).isEqualTo(here.errLines()).contains("tasks[0].startupTimeout");

        // the server checks what needs the cluster: a namespace that does not exist, named by its place
        Files.writeString(bad, "- image: busybox:1.36\n- image: busybox:1.36\n  namespace: absent-ns-r7\n");
        int before = store.list(java.util.Set.of(), 1000).size();
        Cli.Run missing = remote(SUBMIT, "submit", "-f", bad.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.errLines()).startsWith("drover: server " + url + ": tasks[1].namespace: ");
        assertThat(store.list(java.util.Set.of(), 1000)).as("all or none").hasSize(before);
    }

    @Test
    void aWrongOrMissingTokenIsOneLineSayingSoAndExit2() throws IOException {
        Cli.Run wrong = remote("not-the-token-at-all", "list");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.out()).isEmpty();
        assertThat(wrong.errLines())
                .isEqualTo("drover: server " + url + ": the bearer token is not known; the token of --token is not"
                        + " one the server takes; ask its admin for one\n");

        Cli.Run none = Cli.run("status", "x", "--server", url);
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.errLines())
                .isEqualTo("drover: server " + url + ": this route needs a bearer token; give the server's token"
                        + " with --token, --token-file FILE or $DROVER_TOKEN\n");

        Path tokenFile = dir.resolve("my-token");
        Files.writeString(tokenFile, READ + "\n");
        Cli.Run fromFile = Cli.run("list", "--server", url, "--token-file", tokenFile.toString());
        assertThat(fromFile.exit()).as(fromFile.err()).isZero();
        Cli.Run noFile = Cli.run(
                "list", "--server", url, "--token-file", dir.resolve("nope").toString());
        assertThat(noFile.errLines()).isEqualTo("drover: --token-file " + dir.resolve("nope") + ": no such file\n");
    }

    @Test
    void aReadTokenCannotSubmitOrCancel() {
        Cli.Run r = remote(READ, "submit", "-n", ns, "busybox:1.36", "--", "echo", "hi");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .isEqualTo("drover: server " + url + ": rita has role read; POST /api/v1/tasks needs submit; ask an"
                        + " admin for a token with role submit\n");
        assertThat(store.list(java.util.Set.of(), 10)).isEmpty();
        Cli.Run cancel = remote(READ, "cancel", "whatever");
        assertThat(cancel.exit()).isEqualTo(2);
        assertThat(cancel.errLines()).contains("rita has role read; POST /api/v1/tasks/{id}/cancel needs submit");
    }

    @Test
    void withAServerNoStoreNoKubeconfigAndNoCacheIsTouched(@TempDir Path home) throws IOException {
        String old = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            String id = submitRemotely("run=100ms");
            awaitState(id, TaskState.SUCCEEDED);
            assertThat(remote(READ, "status", id).exit()).isZero();
            assertThat(remote(READ, "list").exit()).isZero();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> remote(READ, "logs", id).exit() == 0);
            assertThat(remote(SUBMIT, "cancel", id).exit()).isEqualTo(1);
        } finally {
            System.setProperty("user.home", old);
        }
        try (Stream<Path> files = Files.walk(home)) {
            assertThat(files.filter(p -> !p.equals(home)).toList())
                    .as("no H2 file, no namespace cache")
                    .isEmpty();
        }
    }

    @Test
    void localOnlyFlagsWithAServerAreAnErrorNamingBoth() {
        Path nowhere = dir.resolve("no-such-dir");
        String store = "jdbc:h2:file:" + nowhere.resolve("drover");
        for (String[] command : List.of(
                new String[] {"list", "--store", store},
                new String[] {"status", "x", "--store", store},
                new String[] {"cancel", "x", "--store", store},
                new String[] {"submit", "busybox:1.36", "--store", store},
                new String[] {"logs", "x", "--store", store})) {
            Cli.Run r = remote(READ, command);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.errLines())
                    .isEqualTo("drover: --server and --store: a command sent to a Drover server uses the server's"
                            + " store and cluster; leave out --store or --server\n");
        }
        assertThat(remote(READ, "logs", "x", "--kubeconfig", "/k").errLines())
                .startsWith("drover: --server and --kubeconfig:");
        assertThat(remote(READ, "logs", "x", "--log-dir", "/l").errLines())
                .startsWith("drover: --server and --log-dir:");
        assertThat(remote(SUBMIT, "submit", "--cluster", "c", "busybox:1.36").errLines())
                .startsWith("drover: --server and --cluster:");
        assertThat(nowhere).doesNotExist();
        assertThat(Cli.run("list", "--server", "ftp://x", "--token", READ).errLines())
                .startsWith("drover: --server ftp://x: not an http(s) URL of a server; write e.g.");
    }

    @Test
    void aServerThatCannotBeReachedSaysSo() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // free, and closed again: nobody listens there
        }
        Cli.Run r = Cli.run("list", "--server", "http://127.0.0.1:" + port, "--token", READ);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .isEqualTo("drover: server http://127.0.0.1:" + port
                        + ": cannot connect; is a drover server running there?\n");
    }

    /** The answer to the first submit is lost on the way back: the one retry, with the same key, stores nothing twice. */
    @Test
    void aSubmitWhoseAnswerWasLostIsSentAgainAndStoredOnce() throws Exception {
        try (LossyProxy proxy = new LossyProxy(server.port())) {
            Cli.Run r = Cli.run(
                    "submit",
                    "-n",
                    ns,
                    "--name",
                    "once",
                    "busybox:1.36",
                    "--server",
                    "http://127.0.0.1:" + proxy.port(),
                    "--token",
                    SUBMIT);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(proxy.connections())
                    .as("the first answer dropped, then sent again")
                    .isEqualTo(2);
            List<Task> stored = store.list(java.util.Set.of(), 100);
            assertThat(stored).extracting(t -> t.spec().name()).containsExactly("once");
            assertThat(r.out().strip()).isEqualTo(stored.getFirst().id());
        }
    }

    @Test
    void httpsWithAPrivateCaNeedsServerCa() throws IOException {
        LoopbackTls tls = LoopbackTls.of("drover-remote-test");
        Path ca = dir.resolve("ca.pem");
        Files.write(ca, Base64.getDecoder().decode(tls.caBundle()));
        try (DroverServer https = serve(DroverServer.builder(drover, store).tls(tls.sslContext()))) {
            assertThat(https.url()).startsWith("https://");
            Cli.Run trusted = Cli.run("list", "--server", https.url(), "--token", READ, "--server-ca", ca.toString());
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(trusted.out()).isEqualTo(local("list").out());

            Cli.Run untrusted = Cli.run("list", "--server", https.url(), "--token", READ);
            assertThat(untrusted.exit()).isEqualTo(2);
            assertThat(untrusted.errLines())
                    .startsWith("drover: server " + https.url() + ": TLS failed: ")
                    .endsWith("(--server-ca FILE trusts a private CA's certificates)\n");
        }
    }
}
