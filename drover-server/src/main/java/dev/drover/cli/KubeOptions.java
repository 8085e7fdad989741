package dev.drover.cli;

import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --kubeconfig} and {@code --context}, read like kubectl does; in-cluster when run in a pod. */
final class KubeOptions {
    @Option(
            names = "--kubeconfig",
            description =
                    "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster, or the running test ground).")
    Path kubeconfig;

    @Option(names = "--context", description = "The kubeconfig context to use (default: its current context).")
    String context;

    /** Resolves the cluster to talk to; {@code preferTestGround} makes the local test ground the default. */
    Config config(boolean preferTestGround) {
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) {
                throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a readable file");
            }
            return Config.fromKubeconfig(context, kubeconfig.toFile());
        }
        if (preferTestGround && System.getenv("KUBECONFIG") == null) {
            Optional<TestGround.RunningGround> ground = TestGround.findDetached(TestGround.defaultDetachedStateDir())
                    .filter(TestGround.RunningGround::isReady);
            if (ground.isPresent()) {
                return Config.fromKubeconfig(context, ground.get().kubeconfig().toFile());
            }
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Config.fromKubeconfig(context, new File(env.split(File.pathSeparator)[0]));
        }
        return Config.autoConfigure(context);
    }
}
