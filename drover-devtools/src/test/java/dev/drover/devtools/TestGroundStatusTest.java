package dev.drover.devtools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code testground status} of a running ground: where it is, and how to point kubectl at it. */
@KubernetesTest
class TestGroundStatusTest {
    @TempDir
    Path stateDir;

    /** A state file like the one {@code testground start} writes, describing the shared ground. */
    private void describeSharedGround(TestGround ground) throws Exception {
        Files.writeString(
                stateDir.resolve("ground.properties"),
                String.join(
                        "\n",
                        "masterUrl=" + ground.masterUrl(),
                        "adminToken=" + ground.adminToken(),
                        "kubeconfig=" + ground.kubeconfig(),
                        "etcdDataDir=" + stateDir.resolve("etcd"),
                        ""));
    }

    @Test
    void aRunningGroundIsShownWithoutTheInstallHintWhenKubectlIsThere(TestGround ground) throws Exception {
        assumeTrue(KubectlHint.onPath("kubectl", System.getenv("PATH")), "kubectl on the PATH");
        describeSharedGround(ground);

        Cli.Run r = Cli.run("testground", "status", "--state-dir", stateDir.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("test ground: running at " + ground.masterUrl())
                .contains("point kubectl at it:  export KUBECONFIG=" + ground.kubeconfig())
                .doesNotContain("apt-get install");
    }

    @Test
    void aGroundThatDoesNotRunIsExit3() throws Exception {
        Cli.Run r = Cli.run("testground", "status", "--state-dir", stateDir.toString());

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("not running");
    }
}
