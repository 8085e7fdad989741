package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI in-process against the shared test ground and a simulator. */
@KubernetesTest
class CliTest {
    private NodeSimulator sim;
    private String store;
    private String[] common;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace ns) {
        sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodeNamePrefix(ns.name() + "-")
                .build()
                .start();
        store = "jdbc:h2:mem:cli" + ThreadLocalRandom.current().nextInt(1 << 30)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        common = new String[] {
            "--kubeconfig", ground.kubeconfig().toString(), "--store", store, "--scheduler-id", "cli-" + ns.name()
        };
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private record Run(int exit, String out) {}

    private Run drover(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = DroverCommand.commandLine().execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    private String[] args(String command, String... rest) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(common));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    /** For the commands that only read the store (status, list, cancel): no cluster options. */
    private String[] storeArgs(String command, String... rest) {
        List<String> all = new ArrayList<>(List.of(command, "--store", store));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    @Test
    void runWaitExitsWithTheTasksExitCode(TestNamespace ns) {
        Run ok = drover(args(
                "run",
                "-n",
                ns.name(),
                "--wait",
                "--annotation",
                NodeSimulator.BEHAVIOR_ANNOTATION + "=run=500ms",
                "busybox:1.36",
                "--",
                "echo",
                "hi"));
        Run failed = drover(args(
                "run",
                "-n",
                ns.name(),
                "--wait",
                "--name",
                "boom",
                "--annotation",
                NodeSimulator.BEHAVIOR_ANNOTATION + "=run=500ms; exit=7",
                "busybox:1.36",
                "--",
                "false"));

        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("SUCCEEDED");
        assertThat(failed.exit()).isEqualTo(7);
        assertThat(failed.out()).contains("FAILED").contains("exit code 7");
    }

    @Test
    void submitListStatusAndCancelWorkOnTheStore(TestNamespace ns) {
        Run submitted = drover(args("submit", "-n", ns.name(), "busybox:1.36", "--", "sleep", "1"));
        String id = submitted.out().trim();

        assertThat(submitted.exit()).isZero();
        assertThat(drover(storeArgs("list")).out()).contains(id).contains("QUEUED");
        assertThat(drover(storeArgs("status", id, "-o", "json")).out()).contains("\"state\" : \"QUEUED\"");
        assertThat(drover(storeArgs("cancel", id)).exit()).isZero();
        assertThat(drover(storeArgs("status", id)).out()).contains("cancel");
    }

    @Test
    void badInputNamesTheFieldAndExitsNonZero(TestNamespace ns) {
        Run bad = drover(args("submit", "-n", ns.name(), "--request", "memory=lots", "busybox", "--", "true"));

        assertThat(bad.exit()).isEqualTo(2);
    }
}
