package dev.drover.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubectlHintTest {
    @TempDir
    Path dir;

    @Test
    void tellsHowToInstallKubectlOnlyWhenItIsNotOnThePath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("kubectl"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin.resolve("kubectl"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path kubeconfig = dir.resolve("kubeconfig");

        String with = KubectlHint.pointAt(kubeconfig, "/nonexistent:" + bin);
        String without = KubectlHint.pointAt(kubeconfig, "/nonexistent:" + dir);

        assertThat(with).isEqualTo("point kubectl at it:  export KUBECONFIG=" + kubeconfig);
        assertThat(without).endsWith("(kubectl: apt-get install kubernetes-client)");
    }

    @Test
    void aFileThatIsNotExecutableIsNoKubectl() throws Exception {
        Files.writeString(dir.resolve("kubectl"), "not a program");
        Files.setPosixFilePermissions(dir.resolve("kubectl"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(KubectlHint.onPath("kubectl", dir.toString())).isFalse();
    }
}
