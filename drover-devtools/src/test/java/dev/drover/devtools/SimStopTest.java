package dev.drover.devtools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code drover sim} stopped by SIGTERM (as by a service manager or Ctrl-C) takes its nodes with it. */
@KubernetesTest
class SimStopTest {
    private static List<String> nodes(KubernetesClient client, String prefix) {
        return client.nodes().list().getItems().stream()
                .map(Node::getMetadata)
                .map(m -> m.getName())
                .filter(n -> n.startsWith(prefix))
                .toList();
    }

    @Test
    void sigtermDeletesTheSimulatedNodesBeforeTheProcessEnds(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        String prefix = ns.name() + "-sim-";
        Process sim = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.drover.cli.DroverCommand",
                        "sim",
                        "--kubeconfig",
                        ground.kubeconfig().toString(),
                        "--nodes",
                        "2",
                        "--node-prefix",
                        prefix,
                        "-n",
                        ns.name())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> nodes(client, prefix).size() == 2);

            sim.destroy(); // SIGTERM

            assertThat(sim.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(nodes(client, prefix)).isEmpty();
        } finally {
            sim.destroyForcibly();
        }
    }
}
