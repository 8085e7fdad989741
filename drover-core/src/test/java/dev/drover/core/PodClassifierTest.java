package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.kube.PodView;
import dev.drover.kube.PodView.ContainerView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classifier as a table: one pod shape in, one outcome out. */
class PodClassifierTest {
    private final PodClassifier classifier = new PodClassifier();

    private static PodView pod(String phase, List<ContainerView> init, List<ContainerView> main) {
        return pod(phase, null, null, false, Map.of(), init, main);
    }

    private static PodView pod(
            String phase,
            String reason,
            String message,
            boolean deleting,
            Map<String, String> labels,
            List<ContainerView> init,
            List<ContainerView> main) {
        return new PodView("ns", "p", "uid", "1", labels, deleting, "node", phase, reason, message, init, main);
    }

    private static ContainerView waiting(String name, String reason, String message) {
        return new ContainerView(name, "waiting", reason, message, null, false, 0, null, null);
    }

    private static ContainerView terminated(String name, int exit, String reason) {
        return new ContainerView(name, "terminated", reason, null, exit, false, 0, Instant.EPOCH, Instant.EPOCH);
    }

    private static ContainerView running(String name) {
        return new ContainerView(name, "running", null, null, null, true, 0, Instant.EPOCH, null);
    }

    /** A pod Drover's finalizer holds after a delete: {@code deletionFinal} once its kubelet is done. */
    private static PodView held(PodView p, boolean deletionFinal) {
        return p.withDeletion(List.of(PodLabels.FINALIZER), true, deletionFinal);
    }

    @Test
    void aHeldPodDeletedWhileRunningEndsItsTryWithTheContainersExitCodeOnceTheKubeletKilledIt() {
        PodView killed = held(pod("Failed", List.of(), List.of(terminated("main", 143, "Error"))), true);
        Outcome o = classifier.classify(killed, false);
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        FailureDetails d = ((Outcome.Failed) o).details();
        assertThat(d.reason()).isEqualTo("DeletedBeforeCompletion");
        assertThat(d.container()).isEqualTo("main");
        assertThat(d.exitCode()).isEqualTo(143);
        assertThat(d.message()).contains("deleted while running").contains("exit code 143");
    }

    @Test
    void aHeldPodStillRunningAfterItsDeleteWaitsForTheKubelet() {
        PodView stopping = held(pod("Running", List.of(), List.of(running("main"))), false);
        assertThat(classifier.classify(stopping, false)).isEqualTo(new Outcome.Running());
    }

    @Test
    void aHeldPodDeletedBeforeItRanEndsItsTryOnceNothingButTheFinalizerKeepsIt() {
        PodView never = held(pod("Pending", List.of(), List.of(waiting("main", "ContainerCreating", null))), true);
        Outcome o = classifier.classify(never, false);
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) o).details().reason()).isEqualTo("DeletedBeforeCompletion");
        assertThat(((Outcome.Failed) o).details().message()).isEqualTo("the pod was deleted while Pending");
        // Still in its grace period: the kubelet may yet stop it; nothing is decided.
        assertThat(classifier.classify(held(pod("Pending", List.of(), List.of()), false), false))
                .isInstanceOf(Outcome.Pending.class);
    }

    @Test
    void aHeldPodThatSucceededBeforeItsDeleteKeepsItsSuccess() {
        PodView done = held(pod("Succeeded", List.of(), List.of(terminated("main", 0, "Completed"))), true);
        assertThat(classifier.classify(done, false)).isEqualTo(new Outcome.Succeeded());
    }

    @Test
    void pendingWithoutFatalReasonsIsPending() {
        assertThat(classifier.classify(
                        pod("Pending", List.of(), List.of(waiting("main", "ContainerCreating", null))), false))
                .isEqualTo(new Outcome.Pending("ContainerCreating", null, "main", null));
        assertThat(classifier.classify(pod(null, List.of(), List.of()), false)).isEqualTo(new Outcome.Pending(null));
    }

    @Test
    void aWaitingContainerNamesThePendingRuleItsWaitMatches() {
        for (String reason : PodClassifier.DEFAULT_FATAL_REASONS) {
            Outcome o = classifier.classify(pod("Pending", List.of(), List.of(waiting("main", reason, "boom"))), false);
            assertThat(o)
                    .as(reason)
                    .isEqualTo(new Outcome.Pending(
                            reason, "boom", "main", PendingRules.defaults().match(reason, "boom", List.of())));
            assertThat(((Outcome.Pending) o).rule()).as(reason).isNotNull();
        }
    }

    @Test
    void registryThrottlingMatchesARuleThatWaits() {
        String message = "Failed to pull image \"x\": rpc error: pull QPS exceeded";
        Outcome o = classifier.classify(
                pod("Pending", List.of(), List.of(waiting("main", "ErrImagePull", message))), false);

        assertThat(o).isInstanceOfSatisfying(Outcome.Pending.class, p -> {
            assertThat(p.rule().name()).isEqualTo("registry-throttled");
            assertThat(p.rule().action()).isEqualTo(PendingRule.Action.WAIT);
        });
    }

    @Test
    void aContainerWhoseRuleGivesUpCountsBeforeOneWhoseRuleWaits() {
        Outcome o = classifier.classify(
                pod(
                        "Pending",
                        List.of(),
                        List.of(
                                waiting("main", "ErrImagePull", "429 Too Many Requests"),
                                waiting("helper", "InvalidImageName", "bad ref"))),
                false);

        assertThat(o).isInstanceOfSatisfying(Outcome.Pending.class, p -> {
            assertThat(p.container()).isEqualTo("helper");
            assertThat(p.rule().name()).isEqualTo("invalid-image-name");
        });
    }

    @Test
    void theOlderFatalReasonsStillWork() {
        PodClassifier strict = new PodClassifier(PendingRules.failingAtOnce(java.util.Set.of("ImagePullBackOff")));

        assertThat(strict.classify(pod("Pending", List.of(), List.of(waiting("main", "ImagePullBackOff", "x"))), false))
                .isInstanceOfSatisfying(
                        Outcome.Pending.class, p -> assertThat(p.rule().name()).isEqualTo("fatal-ImagePullBackOff"));
        assertThat(strict.classify(pod("Pending", List.of(), List.of(waiting("main", "ErrImagePull", "x"))), false))
                .isEqualTo(new Outcome.Pending("ErrImagePull", "x", "main", null));
    }

    @Test
    void providerFailedFailsARunningPodToo() {
        Outcome o = classifier.classify(
                pod("Running", "ProviderFailed", "vk lost it", false, Map.of(), List.of(), List.of(running("main"))),
                false);

        assertThat(o)
                .isEqualTo(
                        new Outcome.Failed(new FailureDetails("ProviderFailed", "vk lost it", null, null, null, null)));
    }

    @Test
    void providerFailedFailsAPendingPod() {
        Outcome o = classifier.classify(
                pod("Pending", "ProviderFailed", "no capacity", false, Map.of(), List.of(), List.of()), false);

        assertThat(o)
                .isEqualTo(new Outcome.Failed(
                        new FailureDetails("ProviderFailed", "no capacity", null, null, null, null)));
    }

    @Test
    void runningAndSucceededAreWhatTheySay() {
        assertThat(classifier.classify(pod("Running", List.of(), List.of(running("main"))), false))
                .isEqualTo(new Outcome.Running());
        assertThat(classifier.classify(pod("Succeeded", List.of(), List.of(terminated("main", 0, "Completed"))), false))
                .isEqualTo(new Outcome.Succeeded());
    }

    @Test
    void aFailedPodBlamesTheFailedInitContainerFirst() {
        Outcome o = classifier.classify(
                pod("Failed", List.of(terminated("setup", 2, "Error")), List.of(terminated("main", 1, "Error"))),
                false);

        assertThat(o).isEqualTo(new Outcome.Failed(new FailureDetails("Error", null, "setup", 2, null, null)));
    }

    @Test
    void aFailedPodBlamesTheFirstContainerThatExitedNonZero() {
        Outcome o = classifier.classify(
                pod(
                        "Failed",
                        List.of(terminated("setup", 0, "Completed")),
                        List.of(terminated("side", 0, "Completed"), terminated("main", 137, "OOMKilled"))),
                false);

        assertThat(o).isEqualTo(new Outcome.Failed(new FailureDetails("OOMKilled", null, "main", 137, null, null)));
    }

    @Test
    void aFailedPodWithoutATerminatedCulpritBlamesTheLastWaitingContainer() {
        Outcome o = classifier.classify(
                pod(
                        "Failed",
                        List.of(),
                        List.of(waiting("a", "ContainerCreating", null), waiting("b", "ImagePullBackOff", "no pull"))),
                false);

        assertThat(o)
                .isEqualTo(
                        new Outcome.Failed(new FailureDetails("ImagePullBackOff", "no pull", "b", null, null, null)));
    }

    @Test
    void anEvictedPodReportsThePodsReason() {
        Outcome o = classifier.classify(
                pod("Failed", "Evicted", "low on memory", false, Map.of(), List.of(), List.of()), false);

        assertThat(o)
                .isEqualTo(new Outcome.Failed(
                        FailureDetails.of("Evicted", "low on memory"), "the node: Evicted (low on memory)"));
    }

    @Test
    void anEvictedPodWhoseContainerWasKilledStillReportsTheEviction() {
        Outcome o = classifier.classify(
                pod(
                        "Failed",
                        "Evicted",
                        "low on memory",
                        false,
                        Map.of(),
                        List.of(),
                        List.of(terminated("main", 137, "Error"))),
                false);

        assertThat(o)
                .isEqualTo(new Outcome.Failed(
                        new FailureDetails("Evicted", "low on memory", "main", 137, null, null),
                        "the node: Evicted (low on memory)"));
    }

    @Test
    void aPodThatFailedBecauseItWasBeingDeletedFailedBeforeCompletion() {
        Outcome o = classifier.classify(
                pod("Failed", null, null, true, Map.of(), List.of(), List.of(terminated("main", 143, "Error"))), false);

        assertThat(o).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.details().reason()).isEqualTo("DeletedBeforeCompletion");
            assertThat(f.details().exitCode()).isEqualTo(143);
        });
    }

    @Test
    void aRunningPodDeletedWithADeletionTimestampFailedBeforeCompletion() {
        Outcome o = classifier.classify(
                pod("Running", null, null, true, Map.of(), List.of(), List.of(running("main"))), true);

        assertThat(o)
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        f -> assertThat(f.details().reason()).isEqualTo("DeletedBeforeCompletion"));
    }

    @Test
    void aFinishedPodDeletedKeepsItsResult() {
        assertThat(classifier.classify(pod("Succeeded", null, null, true, Map.of(), List.of(), List.of()), true))
                .isEqualTo(new Outcome.Succeeded());
    }

    @Test
    void aDeletedDeltaWithoutDeletionTimestampMeansThePodLeftOurSelector() {
        assertThat(classifier.classify(pod("Running", List.of(), List.of(running("main"))), true))
                .isEqualTo(new Outcome.LeftSelector());
    }

    @Test
    void revokedPodsAreIgnored() {
        PodView p = pod(
                "Failed",
                null,
                null,
                false,
                Map.of("drover.dev/revoked", "true"),
                List.of(),
                List.of(terminated("main", 1, "Error")));

        assertThat(classifier.classify(p, false)).isEqualTo(new Outcome.Ignored("revoked"));
    }
}
