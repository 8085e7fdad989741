package dev.drover.sim;

import static dev.drover.sim.TestPods.condition;
import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.initStatus;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static dev.drover.sim.TestPods.reasons;
import static dev.drover.sim.TestPods.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pod's way from Pending to Succeeded or Failed, as a v1.20 kubelet reports it (full fidelity). */
@KubernetesTest
class PodLifecycleTest extends SimulatorTest {
    @Test
    void aPodWithoutBehaviourRunsOneSecondAndSucceeds(KubernetesClient client) {
        Pod created = create(client, ns, pod("ok", null, container("main", "echo", "hello")));

        eventually().until(() -> "Succeeded".equals(phase(client, ns, "ok")));

        Pod pod = get(client, ns, "ok");
        ContainerStatus main = status(pod, "main");
        var terminated = main.getState().getTerminated();
        assertThat(terminated.getExitCode()).isZero();
        assertThat(terminated.getReason()).isEqualTo("Completed");
        assertThat(terminated.getContainerID()).matches("sim://[0-9a-f]{64}").isEqualTo(main.getContainerID());
        Instant started = Instant.parse(terminated.getStartedAt());
        Instant finished = Instant.parse(terminated.getFinishedAt());
        assertThat(Duration.between(started, finished)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
        assertThat(main.getState().getRunning()).isNull();
        assertThat(main.getState().getWaiting()).isNull();
        assertThat(main.getReady()).isFalse();
        assertThat(main.getStarted()).isFalse();
        assertThat(main.getRestartCount()).isZero();
        assertThat(main.getImage()).isEqualTo("busybox:1.36");
        assertThat(main.getImageID()).startsWith("docker.io/library/busybox@sha256:");

        assertThat(condition(pod, "Initialized").getStatus()).isEqualTo("True");
        assertThat(condition(pod, "Initialized").getReason()).isEqualTo("PodCompleted");
        assertThat(condition(pod, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(pod, "Ready").getReason()).isEqualTo("PodCompleted");
        assertThat(condition(pod, "ContainersReady").getStatus()).isEqualTo("False");
        assertThat(condition(pod, "ContainersReady").getReason()).isEqualTo("PodCompleted");
        assertThat(condition(pod, "PodScheduled").getStatus()).isEqualTo("True");
        assertThat(pod.getStatus().getConditions())
                .allSatisfy(c -> assertThat(c.getLastTransitionTime()).isNotNull());

        assertThat(pod.getSpec().getNodeName()).isIn(sim.nodeNames());
        assertThat(pod.getStatus().getHostIP()).isEqualTo("127.0.0.1");
        assertThat(pod.getStatus().getPodIP()).startsWith("10.244.");
        assertThat(pod.getStatus().getStartTime()).isNotNull();
        assertThat(pod.getStatus().getReason()).isNull();

        eventually().until(() -> reasons(client, ns, "ok").size() == 4);
        List<Event> events = TestPods.events(client, ns, "ok");
        assertThat(events).extracting(Event::getReason).containsExactly("Scheduled", "Pulled", "Created", "Started");
        assertThat(events.get(0).getSource().getComponent()).isEqualTo("default-scheduler");
        assertThat(events.get(0).getMessage())
                .isEqualTo("Successfully assigned " + ns + "/ok to "
                        + pod.getSpec().getNodeName());
        assertThat(events.get(0).getInvolvedObject().getFieldPath()).isNull();
        for (Event e : events.subList(1, 4)) {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
            assertThat(e.getSource().getHost()).isEqualTo(pod.getSpec().getNodeName());
            assertThat(e.getCount()).isEqualTo(1);
            assertThat(e.getFirstTimestamp()).isEqualTo(e.getLastTimestamp()).isNotNull();
            ObjectReference ref = e.getInvolvedObject();
            assertThat(ref.getKind()).isEqualTo("Pod");
            assertThat(ref.getApiVersion()).isEqualTo("v1");
            assertThat(ref.getName()).isEqualTo("ok");
            assertThat(ref.getNamespace()).isEqualTo(ns);
            assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
            assertThat(ref.getResourceVersion()).isNotBlank();
            assertThat(ref.getFieldPath()).isEqualTo("spec.containers{main}");
        }
        assertThat(events.get(1).getMessage()).isEqualTo("Container image \"busybox:1.36\" already present on machine");
        assertThat(events.get(2).getMessage()).isEqualTo("Created container main");
        assertThat(events.get(3).getMessage()).isEqualTo("Started container main");
    }

    @Test
    void aNonZeroExitFailsThePodWithReasonError(KubernetesClient client) {
        create(client, ns, pod("bad", "exit=3; run=200ms", container("main", "false")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "bad")));

        Pod pod = get(client, ns, "bad");
        var terminated = status(pod, "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(3);
        assertThat(terminated.getReason()).isEqualTo("Error");
        assertThat(terminated.getStartedAt()).isNotNull();
        assertThat(terminated.getFinishedAt()).isNotNull();
        assertThat(status(pod, "main").getReady()).isFalse();
        assertThat(condition(pod, "Initialized").getStatus()).isEqualTo("True");
        assertThat(condition(pod, "Initialized").getReason()).isNull();
        assertThat(condition(pod, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(pod, "Ready").getReason()).isEqualTo("ContainersNotReady");
        assertThat(condition(pod, "Ready").getMessage()).isEqualTo("containers with unready status: [main]");
        assertThat(condition(pod, "ContainersReady").getReason()).isEqualTo("ContainersNotReady");
        eventually().until(() -> reasons(client, ns, "bad").size() == 4);
        assertThat(reasons(client, ns, "bad")).containsExactly("Scheduled", "Pulled", "Created", "Started");
    }

    @Test
    void theStatusGoesFromPendingWithContainerCreatingToRunningToSucceeded(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("walk", "run=500ms", container("main", "true")));

            eventually().until(() -> recorder.phases("walk").contains("Succeeded"));

            assertThat(recorder.phases("walk")).containsExactly("Pending", "Running", "Succeeded");
            assertThat(recorder.states("walk", "main"))
                    .containsExactly("ContainerCreating", "running", "terminated:Completed");
        }
    }

    @Test
    void aRunningContainerIsReadyAndStartedAndThePodReady(KubernetesClient client) {
        create(client, ns, pod("busy", "run=1m", container("main", "sleep", "60")));

        eventually().until(() -> "Running".equals(phase(client, ns, "busy")));

        Pod pod = get(client, ns, "busy");
        ContainerStatus main = status(pod, "main");
        assertThat(main.getState().getRunning().getStartedAt()).isNotNull();
        assertThat(main.getReady()).isTrue();
        assertThat(main.getStarted()).isTrue();
        assertThat(condition(pod, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(pod, "ContainersReady").getStatus()).isEqualTo("True");
        assertThat(condition(pod, "Ready").getReason()).isNull();
    }

    @Test
    void initContainersRunOneAfterAnotherBeforeTheMainContainers(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(
                    client,
                    ns,
                    pod(
                            "staged",
                            "run=300ms",
                            List.of(container("first", "setup"), container("second", "migrate")),
                            List.of(container("main", "serve"))));

            eventually().until(() -> "Succeeded".equals(phase(client, ns, "staged")));

            assertThat(recorder.states("staged", "first"))
                    .containsExactly("PodInitializing", "running", "terminated:Completed");
            assertThat(recorder.states("staged", "second"))
                    .containsExactly("PodInitializing", "running", "terminated:Completed");
            assertThat(recorder.states("staged", "main"))
                    .containsExactly("PodInitializing", "running", "terminated:Completed");
            for (Pod version : recorder.versions("staged")) {
                if (version.getStatus().getInitContainerStatuses().isEmpty()) {
                    continue; // created and bound, not yet seen by the kubelet
                }
                String first = PodRecorder.state(initStatus(version, "first"));
                String second = PodRecorder.state(initStatus(version, "second"));
                String main = PodRecorder.state(status(version, "main"));
                if (!second.equals("PodInitializing")) {
                    assertThat(first).isEqualTo("terminated:Completed");
                }
                if (!main.equals("PodInitializing")) {
                    assertThat(second).isEqualTo("terminated:Completed");
                }
            }
            Pod pending = recorder.versions("staged").stream()
                    .filter(p -> !p.getStatus().getInitContainerStatuses().isEmpty())
                    .filter(p -> PodRecorder.state(initStatus(p, "first")).equals("running"))
                    .findFirst()
                    .orElseThrow();
            assertThat(condition(pending, "Initialized").getStatus()).isEqualTo("False");
            assertThat(condition(pending, "Initialized").getReason()).isEqualTo("ContainersNotInitialized");
            assertThat(condition(pending, "Initialized").getMessage())
                    .isEqualTo("containers with incomplete status: [first second]");
            assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");

            Pod done = get(client, ns, "staged");
            assertThat(initStatus(done, "first").getReady()).isTrue();
            assertThat(initStatus(done, "second").getState().getTerminated().getExitCode())
                    .isZero();
        }
        eventually().until(() -> reasons(client, ns, "staged").size() == 10);
        List<Event> events = TestPods.events(client, ns, "staged");
        assertThat(events)
                .extracting(e -> e.getReason() + " " + e.getInvolvedObject().getFieldPath())
                .containsExactly(
                        "Scheduled null",
                        "Pulled spec.initContainers{first}",
                        "Created spec.initContainers{first}",
                        "Started spec.initContainers{first}",
                        "Pulled spec.initContainers{second}",
                        "Created spec.initContainers{second}",
                        "Started spec.initContainers{second}",
                        "Pulled spec.containers{main}",
                        "Created spec.containers{main}",
                        "Started spec.containers{main}");
    }

    @Test
    void imagePullPolicyAlwaysPullsBeforeCreating(KubernetesClient client) {
        create(
                client,
                ns,
                pod(
                        "fresh",
                        "run=100ms",
                        new ContainerBuilder()
                                .withName("main")
                                .withImage("busybox:1.36")
                                .withImagePullPolicy("Always")
                                .build()));

        eventually().until(() -> reasons(client, ns, "fresh").size() == 5);

        List<Event> events = TestPods.events(client, ns, "fresh");
        assertThat(events)
                .extracting(Event::getReason)
                .containsExactly("Scheduled", "Pulling", "Pulled", "Created", "Started");
        assertThat(events.get(1).getMessage()).isEqualTo("Pulling image \"busybox:1.36\"");
        assertThat(events.get(2).getMessage()).startsWith("Successfully pulled image \"busybox:1.36\" in ");
    }

    @Test
    void containersOfOnePodEndOnTheirOwnAndThePodFailsIfAnyFailed(KubernetesClient client) {
        create(
                client,
                ns,
                pod(
                        "pair",
                        "run=200ms; run.slow=1s; exit.slow=2",
                        container("fast", "true"),
                        container("slow", "false")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "pair")));

        Pod pod = get(client, ns, "pair");
        assertThat(status(pod, "fast").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(status(pod, "slow").getState().getTerminated().getExitCode()).isEqualTo(2);
        assertThat(condition(pod, "Ready").getMessage()).isEqualTo("containers with unready status: [fast slow]");
    }
}
