package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The scheduler half: which pods get bound, where, and when; and the nodes it registers. */
@KubernetesTest
class SchedulingTest {

    @Test
    void nodesAreRegisteredReadyWithTheKubeletPortAndDeletedOnClose(KubernetesClient client, TestNamespace ns) {
        NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodes(2)
                .nodeNamePrefix("reg-" + ns.name().substring(ns.name().length() - 4) + "-")
                .build()
                .start();
        try {
            assertThat(sim.nodeNames()).hasSize(2).allMatch(n -> n.startsWith("reg-"));
            Node node = client.nodes().withName(sim.nodeNames().get(1)).get();
            assertThat(node.getStatus().getAddresses())
                    .singleElement()
                    .satisfies(
                            a -> assertThat(a.getType() + "=" + a.getAddress()).isEqualTo("InternalIP=127.0.0.1"));
            assertThat(node.getStatus()
                            .getDaemonEndpoints()
                            .getKubeletEndpoint()
                            .getPort())
                    .isEqualTo(sim.kubeletPort());
            assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods");
            assertThat(node.getStatus().getConditions())
                    .anySatisfy(
                            c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        } finally {
            sim.close();
        }
        assertThat(client.nodes().withName(sim.nodeNames().get(0)).get()).isNull();
    }

    @Test
    void podsAreSpreadEvenlyOverTheNodes(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodes(3)
                .build()
                .start()) {
            for (int i = 0; i < 6; i++) {
                create(client, ns.name(), pod("spread-" + i, "run=1m", container("main", "x")));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().podsStarted() == 6);

            Map<String, Long> perNode = client.pods().inNamespace(ns.name()).list().getItems().stream()
                    .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(), Collectors.counting()));
            assertThat(perNode)
                    .containsOnlyKeys(sim.nodeNames())
                    .allSatisfy((node, n) -> assertThat(n).isEqualTo(2));
        }
    }

    @Test
    void aPodBoundToSomeoneElsesNodeIsLeftAlone(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            Pod foreign = pod("foreign", null, container("main", "x"));
            foreign.getSpec().setNodeName("a-real-node-" + ns.name());
            create(client, ns.name(), foreign);
            create(client, ns.name(), pod("ours", "run=100ms", container("main", "x")));

            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "ours")));

            Pod untouched = get(client, ns.name(), "foreign");
            assertThat(untouched.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(untouched.getStatus().getContainerStatuses()).isEmpty();
            assertThat(sim.stats().podsBound()).isEqualTo(1);
        }
    }

    @Test
    void aPodCreatedWithTheNameOfASimulatedNodeRunsWithoutBinding(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            Pod direct = pod("direct", "run=100ms", container("main", "x"));
            direct.getSpec().setNodeName(sim.nodeNames().get(0));
            create(client, ns.name(), direct);

            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "direct")));
            assertThat(sim.stats().podsBound()).isZero();
        }
    }

    @Test
    void podsOfOtherNamespacesAreLeftAlone(KubernetesClient client, TestNamespace ns, TestGround ground) {
        String other = ground.createNamespace("unwatched");
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            create(client, other, pod("elsewhere", null, container("main", "x")));
            create(client, ns.name(), pod("here", "run=100ms", container("main", "x")));

            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "here")));

            assertThat(get(client, other, "elsewhere").getSpec().getNodeName()).isNull();
            assertThat(sim.stats().podsBound()).isEqualTo(1);
        }
    }

    @Test
    void bindDelayHoldsThePodUnboundForThatLong(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            create(client, ns.name(), pod("patient", "bind-delay=2s; run=100ms", container("main", "x")));

            await().during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> get(client, ns.name(), "patient").getSpec().getNodeName() == null);
            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "patient")));
            assertThat(sim.stats().podsBound()).isEqualTo(1);
        }
    }

    /** The PodScheduled condition of a pod, or null when it has none. */
    private static PodCondition scheduled(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("PodScheduled"))
                .findFirst()
                .orElse(null);
    }

    @Test
    void aSchedulingGateKeepsThePodUnboundSayingSoThenItIsBound(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                        .namespaces(ns.name())
                        .build()
                        .start();
                PodRecorder recorder = new PodRecorder(client, ns.name())) {
            create(client, ns.name(), pod("gated", "scheduling-gate=1500ms; run=100ms", container("main", "x")));

            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "gated")));

            Pod gated = recorder.versions("gated").stream()
                    .filter(p ->
                            scheduled(p) != null && "False".equals(scheduled(p).getStatus()))
                    .findFirst()
                    .orElseThrow();
            assertThat(gated.getSpec().getNodeName()).isNull();
            assertThat(scheduled(gated).getReason()).isEqualTo("SchedulingGated");
            assertThat(scheduled(gated).getMessage())
                    .isEqualTo("Scheduling is blocked due to non-empty scheduling gates");
            assertThat(scheduled(get(client, ns.name(), "gated")).getStatus()).isEqualTo("True");
            assertThat(TestPods.reasons(client, ns.name(), "gated")).doesNotContain("FailedScheduling");
        }
    }

    @Test
    void anUnschedulablePodStaysUnboundWithTheSchedulersReasonAndEvent(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodes(3)
                .build()
                .start()) {
            create(client, ns.name(), pod("too-big", "unschedulable", container("main", "x")));

            await().atMost(Duration.ofSeconds(30)).until(() -> scheduled(get(client, ns.name(), "too-big")) != null);
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> get(client, ns.name(), "too-big").getSpec().getNodeName() == null);

            PodCondition c = scheduled(get(client, ns.name(), "too-big"));
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("Unschedulable");
            assertThat(c.getMessage()).isEqualTo("0/3 nodes are available: 3 Insufficient cpu.");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestPods.reasons(client, ns.name(), "too-big").contains("FailedScheduling"));
            Event failed = TestPods.events(client, ns.name(), "too-big").get(0);
            assertThat(failed.getType()).isEqualTo("Warning");
            assertThat(failed.getMessage()).isEqualTo(c.getMessage());
            assertThat(failed.getSource().getComponent()).isEqualTo("default-scheduler");
            assertThat(sim.stats().podsBound()).isZero();
        }
    }

    @Test
    void anUnschedulablePodWithADurationIsBoundAfterIt(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            create(client, ns.name(), pod("later", "unschedulable=1s; run=100ms", container("main", "x")));

            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase(client, ns.name(), "later")));

            assertThat(scheduled(get(client, ns.name(), "later")).getStatus()).isEqualTo("True");
            assertThat(TestPods.reasons(client, ns.name(), "later")).startsWith("FailedScheduling", "Scheduled");
        }
    }

    @Test
    void podsAlreadyPendingWhenTheSimulatorStartsAreBoundToo(KubernetesClient client, TestNamespace ns) {
        for (int i = 0; i < 3; i++) {
            create(client, ns.name(), pod("early-" + i, "run=100ms", container("main", "x")));
        }
        try (NodeSimulator sim =
                NodeSimulator.builder(client).namespaces(ns.name()).build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().podsFinished() == 3);
            assertThat(client.pods().inNamespace(ns.name()).list().getItems().stream()
                            .collect(Collectors.toMap(
                                    p -> p.getMetadata().getName(),
                                    p -> p.getStatus().getPhase())))
                    .containsValues("Succeeded")
                    .doesNotContainValue("Pending");
        }
    }
}
