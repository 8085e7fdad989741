package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A node whose kubelet goes silent: NotReady, tainted, its pods frozen where they were. */
@KubernetesTest
class NodeLossTest {

    private static NodeCondition ready(KubernetesClient client, String node) {
        Node n = client.nodes().withName(node).get();
        return n.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void losingANodeMakesItsReadyConditionUnknownAndTaintsIt(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            String node = sim.nodeNames().get(0);
            assertThat(ready(client, node).getStatus()).isEqualTo("True");

            sim.loseNode(node);

            NodeCondition readyCondition = ready(client, node);
            assertThat(readyCondition.getStatus()).isEqualTo("Unknown");
            assertThat(readyCondition.getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(readyCondition.getMessage()).isEqualTo("Kubelet stopped posting node status.");
            assertThat(client.nodes().withName(node).get().getSpec().getTaints())
                    .extracting(Taint::getKey, Taint::getEffect)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoSchedule"),
                            org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
        }
    }

    @Test
    void theLoseNodeBehaviourFreezesThePodsOfItsNode(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            create(client, ns.name(), pod("stranded", "run=2s; lose-node=500ms", container("main", "x")));
            String node = sim.nodeNames().get(0);

            await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(phase(client, ns.name(), "stranded")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "Unknown".equals(ready(client, node).getStatus()));

            // The run would have ended 2 s after it started; a dead kubelet never reports it.
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> "Running".equals(phase(client, ns.name(), "stranded")));
            assertThat(sim.stats().podsFinished()).isZero();
        }
    }

    @Test
    void podsOnALostNodeAreNeverFinalizedWhenDeleted(KubernetesClient client, TestNamespace ns, TestGround ground) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            create(client, ns.name(), pod("orphan", "run=1m", container("main", "x")));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(phase(client, ns.name(), "orphan")));
            sim.loseNode(sim.nodeNames().get(0));

            client.pods().inNamespace(ns.name()).withName("orphan").delete();

            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> get(client, ns.name(), "orphan") != null);
            assertThat(get(client, ns.name(), "orphan").getMetadata().getDeletionTimestamp())
                    .isNotNull();
            // A client that does not retry 5xx: the dead kubelet answers 503 through the apiserver.
            Config noRetries = new ConfigBuilder(ground.adminConfig())
                    .withRequestRetryBackoffLimit(0)
                    .build();
            try (KubernetesClient impatient =
                    new KubernetesClientBuilder().withConfig(noRetries).build()) {
                assertThatThrownBy(() -> impatient
                                .pods()
                                .inNamespace(ns.name())
                                .withName("orphan")
                                .getLog())
                        .isInstanceOf(KubernetesClientException.class)
                        .hasMessageContaining("503");
            }
        }
    }

    @Test
    void newPodsAreBoundOnlyToNodesThatAreStillReady(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodes(2)
                .build()
                .start()) {
            String lost = sim.nodeNames().get(0);
            sim.loseNode(lost);

            for (int i = 0; i < 4; i++) {
                create(client, ns.name(), pod("p" + i, "run=100ms", container("main", "x")));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().podsFinished() == 4);
            assertThat(client.pods().inNamespace(ns.name()).list().getItems())
                    .allSatisfy(p -> assertThat(p.getSpec().getNodeName())
                            .isEqualTo(sim.nodeNames().get(1)));
        }
    }
}
