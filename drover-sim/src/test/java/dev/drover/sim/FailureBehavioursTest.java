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
import static dev.drover.sim.TestPods.waitingReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failures a pod's behaviour annotation asks for, as a kubelet reports them. */
@KubernetesTest
class FailureBehavioursTest extends SimulatorTest {
    private List<Event> events(KubernetesClient client, String pod, String reason) {
        return TestPods.events(client, ns, pod).stream()
                .filter(e -> e.getReason().equals(reason))
                .toList();
    }

    @Test
    void pullThrottleFailsPullsWithPullQpsExceededThenTheContainerRuns(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(
                    client,
                    ns,
                    pod("throttled", "pull-throttle=2; pull-backoff=200ms; run=300ms", container("main", "x")));

            eventually().until(() -> recorder.phases("throttled").contains("Succeeded"));

            assertThat(recorder.states("throttled", "main"))
                    .containsExactly(
                            "ContainerCreating",
                            "ErrImagePull",
                            "ImagePullBackOff",
                            "ErrImagePull",
                            "ImagePullBackOff",
                            "running",
                            "terminated:Completed");
            assertThat(recorder.phases("throttled")).containsExactly("Pending", "Running", "Succeeded");
            Pod failedPull = recorder.versions("throttled").stream()
                    .filter(p -> "ErrImagePull".equals(waitingReason(p, "main")))
                    .findFirst()
                    .orElseThrow();
            assertThat(status(failedPull, "main").getState().getWaiting().getMessage())
                    .isEqualTo("pull QPS exceeded");
        }
        eventually().until(() -> reasons(client, ns, "throttled").contains("Started"));
        assertThat(events(client, "throttled", "Pulling"))
                .singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(3));
        assertThat(events(client, "throttled", "Failed"))
                .extracting(Event::getMessage, Event::getCount, Event::getType)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "Failed to pull image \"busybox:1.36\": pull QPS exceeded", 2, "Warning"),
                        org.assertj.core.groups.Tuple.tuple("Error: ErrImagePull", 2, "Warning"),
                        org.assertj.core.groups.Tuple.tuple("Error: ImagePullBackOff", 2, "Warning"));
        assertThat(events(client, "throttled", "BackOff")).singleElement().satisfies(e -> {
            assertThat(e.getMessage()).isEqualTo("Back-off pulling image \"busybox:1.36\"");
            assertThat(e.getCount()).isEqualTo(2);
        });
    }

    @Test
    void aRepeatedEventBumpsCountAndLastTimestampOfOneEventObject(KubernetesClient client) {
        create(client, ns, pod("unpullable", "pull-fail; pull-backoff=100ms", container("main", "x")));

        eventually()
                .until(() -> events(client, "unpullable", "BackOff").stream().anyMatch(e -> e.getCount() >= 4));

        Event backOff = events(client, "unpullable", "BackOff").get(0);
        assertThat(events(client, "unpullable", "BackOff")).hasSize(1);
        assertThat(backOff.getLastTimestamp()).isGreaterThan(backOff.getFirstTimestamp());
        assertThat(backOff.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
    }

    @Test
    void pullFailKeepsThePodPendingBetweenErrImagePullAndImagePullBackOff(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("missing", "pull-fail; pull-backoff=100ms", container("main", "x")));

            eventually().until(() -> recorder.states("missing", "main").size() >= 5);

            assertThat(recorder.states("missing", "main"))
                    .startsWith("ContainerCreating", "ErrImagePull", "ImagePullBackOff", "ErrImagePull")
                    .doesNotContain("running");
            assertThat(recorder.phases("missing")).containsExactly("Pending");
            Pod p = recorder.versions("missing").stream()
                    .filter(v -> "ErrImagePull".equals(waitingReason(v, "main")))
                    .findFirst()
                    .orElseThrow();
            assertThat(status(p, "main").getState().getWaiting().getMessage()).contains("not found");
        }
    }

    @Test
    void pullMessageIsWhatTheFailingPullsSay(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(
                    client,
                    ns,
                    pod(
                            "limited",
                            "pull-throttle=1; pull-message=toomanyrequests: Rate exceeded; pull-backoff=200ms;"
                                    + " run=200ms",
                            container("main", "x")));

            eventually().until(() -> recorder.phases("limited").contains("Succeeded"));

            Pod failedPull = recorder.versions("limited").stream()
                    .filter(p -> "ErrImagePull".equals(waitingReason(p, "main")))
                    .findFirst()
                    .orElseThrow();
            assertThat(status(failedPull, "main").getState().getWaiting().getMessage())
                    .isEqualTo("toomanyrequests: Rate exceeded");
        }
        eventually()
                .until(() -> events(client, "limited", "Failed").stream()
                        .anyMatch(e -> e.getMessage()
                                .equals("Failed to pull image \"busybox:1.36\": toomanyrequests: Rate exceeded")));
    }

    @Test
    void pullFailWithAMessageFailsForeverWithThatMessage(KubernetesClient client) {
        create(
                client,
                ns,
                pod(
                        "registry-down",
                        "pull-fail; pull-message=received unexpected HTTP status: 503 Service Unavailable",
                        container("main", "x")));

        eventually().until(() -> "ErrImagePull".equals(waitingReason(get(client, ns, "registry-down"), "main")));

        assertThat(status(get(client, ns, "registry-down"), "main")
                        .getState()
                        .getWaiting()
                        .getMessage())
                .isEqualTo("received unexpected HTTP status: 503 Service Unavailable");
    }

    @Test
    void neverPullWaitsInErrImageNeverPullWithTheKubeletsMessage(KubernetesClient client) {
        create(client, ns, pod("absent", "never-pull", container("main", "x")));

        eventually().until(() -> "ErrImageNeverPull".equals(waitingReason(get(client, ns, "absent"), "main")));

        Pod pod = get(client, ns, "absent");
        String message = "Container image \"busybox:1.36\" is not present with pull policy of Never";
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(status(pod, "main").getState().getWaiting().getMessage()).isEqualTo(message);
        eventually().until(() -> !events(client, "absent", "ErrImageNeverPull").isEmpty());
        Event neverPull = events(client, "absent", "ErrImageNeverPull").get(0);
        assertThat(neverPull.getType()).isEqualTo("Warning");
        assertThat(neverPull.getMessage()).isEqualTo(message);
        assertThat(reasons(client, ns, "absent")).doesNotContain("Pulling", "Started");
    }

    @Test
    void admissionErrorRejectsThePodBeforeAnyContainerStarts(KubernetesClient client) {
        create(client, ns, pod("rejected", "admission-error", container("main", "x")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "rejected")));

        Pod pod = get(client, ns, "rejected");
        assertThat(pod.getStatus().getReason()).isEqualTo("UnexpectedAdmissionError");
        assertThat(pod.getStatus().getMessage())
                .startsWith("Pod was rejected: Allocate failed due to ")
                .endsWith(", which is unexpected");
        assertThat(pod.getStatus().getContainerStatuses()).isEmpty();
        eventually()
                .until(() ->
                        !events(client, "rejected", "UnexpectedAdmissionError").isEmpty());
        Event rejected = events(client, "rejected", "UnexpectedAdmissionError").get(0);
        assertThat(rejected.getType()).isEqualTo("Warning");
        assertThat("Pod was rejected: " + rejected.getMessage())
                .isEqualTo(pod.getStatus().getMessage());
        assertThat(reasons(client, ns, "rejected")).doesNotContain("Pulled", "Started");
        assertThat(sim.stats().podsStarted()).isZero();
        assertThat(sim.stats().podsFinished()).isEqualTo(1);
    }

    @Test
    void configErrorWaitsInCreateContainerConfigError(KubernetesClient client) {
        create(client, ns, pod("unconfigured", "config-error", container("main", "x")));

        eventually()
                .until(() ->
                        "CreateContainerConfigError".equals(waitingReason(get(client, ns, "unconfigured"), "main")));

        Pod pod = get(client, ns, "unconfigured");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(status(pod, "main").getState().getWaiting().getMessage())
                .isEqualTo("configmap \"main-config\" not found");
        eventually().until(() -> !events(client, "unconfigured", "Failed").isEmpty());
        assertThat(events(client, "unconfigured", "Failed").get(0).getMessage())
                .isEqualTo("Error: configmap \"main-config\" not found");
    }

    @Test
    void invalidImageWaitsInInvalidImageName(KubernetesClient client) {
        create(client, ns, pod("badimage", "invalid-image", container("main", "x")));

        eventually().until(() -> "InvalidImageName".equals(waitingReason(get(client, ns, "badimage"), "main")));

        Pod pod = get(client, ns, "badimage");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(status(pod, "main").getState().getWaiting().getMessage()).contains("invalid reference format");
        eventually().until(() -> reasons(client, ns, "badimage").contains("InspectFailed"));
    }

    @Test
    void aFailingInitContainerFailsThePodBeforeTheMainContainersStart(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(
                    client,
                    ns,
                    pod(
                            "noinit",
                            "init-fail=2; run=200ms",
                            List.of(container("setup", "x"), container("later", "y")),
                            List.of(container("main", "z"))));

            eventually().until(() -> recorder.phases("noinit").contains("Failed"));

            Pod pod = get(client, ns, "noinit");
            var setup = initStatus(pod, "setup").getState().getTerminated();
            assertThat(setup.getExitCode()).isEqualTo(2);
            assertThat(setup.getReason()).isEqualTo("Error");
            assertThat(initStatus(pod, "setup").getReady()).isFalse();
            assertThat(waitingReason(pod, "main")).isEqualTo("PodInitializing");
            assertThat(PodRecorder.state(initStatus(pod, "later"))).isEqualTo("PodInitializing");
            assertThat(condition(pod, "Initialized").getStatus()).isEqualTo("False");
            assertThat(condition(pod, "Initialized").getMessage())
                    .isEqualTo("containers with incomplete status: [setup later]");
            assertThat(recorder.states("noinit", "main")).containsExactly("PodInitializing");
            assertThat(recorder.phases("noinit")).containsExactly("Pending", "Failed");
        }
        assertThat(TestPods.events(client, ns, "noinit"))
                .noneMatch(e ->
                        "spec.containers{main}".equals(e.getInvolvedObject().getFieldPath()));
    }

    @Test
    void oomKillsTheContainerWithExitCode137(KubernetesClient client) {
        create(client, ns, pod("hungry", "oom; run=200ms", container("main", "x")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "hungry")));

        var terminated = status(get(client, ns, "hungry"), "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getReason()).isEqualTo("OOMKilled");
    }

    @Test
    void evictionFailsThePodWithReasonEvictedAndKillsItsContainers(KubernetesClient client) {
        create(client, ns, pod("evicted", "run=1m; evict=300ms", container("main", "x")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "evicted")));

        Pod pod = get(client, ns, "evicted");
        assertThat(pod.getStatus().getReason()).isEqualTo("Evicted");
        assertThat(pod.getStatus().getMessage())
                .isEqualTo("The node was low on resource: memory. Container main was using 1048576Ki, which exceeds"
                        + " its request of 0. ");
        var terminated = status(pod, "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getReason()).isEqualTo("Error");
        eventually().until(() -> reasons(client, ns, "evicted").containsAll(List.of("Evicted", "Killing")));
        Event evicted = events(client, "evicted", "Evicted").get(0);
        assertThat(evicted.getType()).isEqualTo("Warning");
        assertThat(evicted.getMessage()).isEqualTo(pod.getStatus().getMessage());
    }

    @Test
    void providerFailedSetsTheReasonAndLeavesThePodPending(KubernetesClient client) {
        create(client, ns, pod("vk", "provider-failed", container("main", "x")));

        eventually().until(() -> {
            Pod p = get(client, ns, "vk");
            return "ProviderFailed".equals(p.getStatus().getReason());
        });

        Pod pod = get(client, ns, "vk");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pod.getStatus().getMessage()).isNotBlank();
        assertThat(pod.getStatus().getContainerStatuses()).isEmpty();
        assertThat(sim.stats().podsFinished()).isEqualTo(1);
    }

    @Test
    void providerFailedWithFailedEndsThePodFailed(KubernetesClient client) {
        create(client, ns, pod("vk2", "provider-failed=failed", container("main", "x")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "vk2")));

        assertThat(get(client, ns, "vk2").getStatus().getReason()).isEqualTo("ProviderFailed");
    }

    @Test
    void aBadAnnotationRunsThePodWithTheDefaultBehaviour(KubernetesClient client) {
        create(client, ns, pod("typo", "run=forever; exit=1", container("main", "x")));

        eventually().until(() -> "Succeeded".equals(phase(client, ns, "typo")));
    }

    @Test
    void anAnnotationNamingAContainerThePodLacksRunsTheDefaultBehaviour(KubernetesClient client) {
        create(client, ns, pod("ghost", "exit=1; exit.ghost=2", container("main", "x")));

        eventually().until(() -> "Succeeded".equals(phase(client, ns, "ghost")));
    }
}
