package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static dev.drover.sim.TestPods.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A new simulator on the same node names rebuilds its pods from what the apiserver shows. */
@KubernetesTest
class SimulatorRestartTest {

    private static NodeSimulator.Builder simulator(KubernetesClient client, TestNamespace ns, String prefix) {
        return NodeSimulator.builder(client).namespaces(ns.name()).nodeNamePrefix(prefix);
    }

    @Test
    void aRunningPodIsCarriedOnNotStartedAgain(KubernetesClient client, TestNamespace ns) {
        String prefix = "again-" + ns.name().substring(ns.name().length() - 4) + "-";
        try (NodeSimulator first =
                simulator(client, ns, prefix).deleteNodesOnClose(false).build().start()) {
            create(client, ns.name(), pod("survivor", "run=3s; log=x|y|z", container("main", "x")));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(phase(client, ns.name(), "survivor")));
            assertThat(first.stats().podsStarted()).isEqualTo(1);
        }
        String startedAt = status(get(client, ns.name(), "survivor"), "main")
                .getState()
                .getRunning()
                .getStartedAt();

        try (NodeSimulator second = simulator(client, ns, prefix).build().start()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "Succeeded".equals(phase(client, ns.name(), "survivor")));

            var terminated = status(get(client, ns.name(), "survivor"), "main")
                    .getState()
                    .getTerminated();
            assertThat(terminated.getStartedAt()).isEqualTo(startedAt);
            assertThat(second.stats().podsBound()).isZero();
            assertThat(client.pods().inNamespace(ns.name()).withName("survivor").getLog())
                    .isEqualTo("x\ny\nz\n");
        }
    }

    @Test
    void aFinishedPodIsLeftAsItIs(KubernetesClient client, TestNamespace ns) {
        String prefix = "done-" + ns.name().substring(ns.name().length() - 4) + "-";
        try (NodeSimulator first =
                simulator(client, ns, prefix).deleteNodesOnClose(false).build().start()) {
            create(client, ns.name(), pod("finished", "run=100ms; exit=4", container("main", "x")));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase(client, ns.name(), "finished")));
            assertThat(first.stats().podsFinished()).isEqualTo(1);
        }
        try (NodeSimulator second = simulator(client, ns, prefix).build().start()) {
            client.pods().inNamespace(ns.name()).withName("finished").delete();

            await().atMost(Duration.ofSeconds(30)).until(() -> get(client, ns.name(), "finished") == null);
            assertThat(second.stats().writes("status")).isZero();
        }
    }
}
