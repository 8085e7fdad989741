package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --kubeconfig and --context are checked like kubectl checks them, by every command that has them. */
class KubeOptionsTest {
    @TempDir
    Path dir;

    private final String store = Cli.memoryStore();

    @Test
    void anUnknownContextFailsLikeKubectlAndQueuesNothing() throws Exception {
        Path kubeconfig = Cli.kubeconfig(dir);

        Cli.Run r = Cli.run(
                "submit",
                "--kubeconfig",
                kubeconfig.toString(),
                "--context",
                "prd",
                "--store",
                store,
                "busybox:1.36",
                "--",
                "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .isEqualTo("drover: --context prd: context \"prd\" not found in " + kubeconfig + " (contexts: a, b)\n");
        assertThat(Cli.run("list", "--store", store).out()).isEmpty();
    }

    @Test
    void submitRefusesAKubeconfigThatIsNotThere() {
        Cli.Run r = Cli.run("submit", "--kubeconfig", dir.resolve("missing").toString(), "--store", store, "busybox");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).isEqualTo("drover: --kubeconfig " + dir.resolve("missing") + ": no such file\n");
    }

    @Test
    void submitWithAKnownContextQueuesTheTask() throws Exception {
        Path kubeconfig = Cli.kubeconfig(dir);

        Cli.Run r = Cli.run(
                "submit",
                "--kubeconfig",
                kubeconfig.toString(),
                "--context",
                "b",
                "--store",
                store,
                "busybox:1.36",
                "--",
                "true");

        assertThat(r.exit()).isZero();
        assertThat(Cli.run("list", "--store", store).out()).contains(r.out().strip());
    }

    @Test
    void theWorkerRefusesAnUnknownContextBeforeItStarts() throws Exception {
        Path kubeconfig = Cli.kubeconfig(dir);

        Cli.Run r = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> Cli.run("worker", "--kubeconfig", kubeconfig.toString(), "--context", "prd", "--store", store));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).contains("--context prd: context \"prd\" not found");
    }

    @Test
    void logsRefusesAnUnknownContext() throws Exception {
        Path kubeconfig = Cli.kubeconfig(dir);
        String id = Cli.run("submit", "--kubeconfig", kubeconfig.toString(), "--store", store, "busybox")
                .out()
                .strip();

        Cli.Run r = Cli.run("logs", "--kubeconfig", kubeconfig.toString(), "--context", "prd", "--store", store, id);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).contains("--context prd: context \"prd\" not found");
    }

    @Test
    void aKubeconfigThatIsNoYamlIsOneLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad"), "clusters: [unclosed\n  - {");

        Cli.Run r = Cli.run("submit", "--kubeconfig", bad.toString(), "--store", store, "busybox");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).startsWith("drover: --kubeconfig " + bad + ": cannot read it as a kubeconfig: ");
        assertThat(r.errLines().lines()).hasSize(1);
    }

    @Test
    void resolveNamesTheContextItsFileAndServer() throws Exception {
        Path kubeconfig = Cli.kubeconfig(dir);
        KubeOptions options = new KubeOptions();
        options.kubeconfig = kubeconfig;

        KubeTarget current = options.resolve();
        options.context = "b";
        KubeTarget b = options.resolve();

        assertThat(current).isEqualTo(new KubeTarget(kubeconfig, "a", "https://127.0.0.1:1", "one", "--kubeconfig"));
        assertThat(b.context()).isEqualTo("b");
        assertThat(b.server()).isEqualTo("https://127.0.0.1:2");
        assertThat(b.clusterName()).as("what tasks submitted there record").isEqualTo("two");
    }
}
