package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.store.TaskStore;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pods held by Drover's finalizer until their results are recorded, on the real apiserver: whoever
 * deletes a pod, and whenever, its task gets its outcome, and no pod keeps the finalizer after.
 */
@KubernetesTest
class FinalizerTest {
    private ExecutorFixture fx;

    TaskStore openStore() {
        return ExecutorFixture.h2Store();
    }

    @BeforeEach
    void setUp(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore());
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static ConditionFactory within(int seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100));
    }

    private Pod pod(String name) {
        return fx.admin.pods().inNamespace(fx.ns).withName(name).get();
    }

    private String podOf(Task t) {
        return TaskIds.podName(t.spec().name(), t.id(), t.tryNumber());
    }

    private void awaitState(String id, TaskState s) {
        within(60).until(() -> fx.store.get(id).orElseThrow().state() == s);
    }

    /** What `kubectl delete pod` does: a graceful delete with the pod's default grace period. */
    private void kubectlDelete(String pod) {
        fx.admin.pods().inNamespace(fx.ns).withName(pod).delete();
    }

    @Test
    void aPodCarriesTheFinalizerWhileItsTaskRuns() {
        fx.startDrover();
        TaskHandle h = fx.drover.submit(fx.task("held", "run=60s").build());
        awaitState(h.id(), TaskState.RUNNING);

        assertThat(pod(podOf(fx.store.get(h.id()).orElseThrow())).getMetadata().getFinalizers())
                .containsExactly(PodLabels.FINALIZER);
    }

    @Test
    void aRunningPodDeletedByAPersonEndsItsTryAsDeletedBeforeCompletionWithTheContainersExitCode() {
        fx.startDrover();
        TaskHandle h = fx.drover.submit(fx.task("victim", "run=60s").build());
        awaitState(h.id(), TaskState.RUNNING);
        String name = podOf(fx.store.get(h.id()).orElseThrow());

        kubectlDelete(name);
        awaitState(h.id(), TaskState.FAILED);

        FailureDetails d = fx.store.get(h.id()).orElseThrow().failure();
        assertThat(d.reason()).isEqualTo("DeletedBeforeCompletion");
        assertThat(d.container()).isEqualTo("main");
        assertThat(d.exitCode()).isEqualTo(143);
        within(30).alias("the finalizer dropped, the pod goes").until(() -> pod(name) == null);
    }

    @Test
    void podsThatFinishedAndWereDeletedWhileTheWorkerWasDownGiveTheirResultsWhenItStarts() {
        fx.startDrover();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(fx.drover.submit(fx.task("t" + i, "run=3s").build()).id());
        }
        ids.forEach(id -> awaitState(id, TaskState.RUNNING));
        fx.drover.close();
        fx.drover = null;
        List<String> pods =
                ids.stream().map(id -> podOf(fx.store.get(id).orElseThrow())).toList();
        within(30)
                .until(() -> pods.stream()
                        .allMatch(p -> "Succeeded".equals(pod(p).getStatus().getPhase())));

        // Two are deleted before any Drover recorded them: the finalizer keeps them, with their result.
        kubectlDelete(pods.get(0));
        kubectlDelete(pods.get(1));
        within(30)
                .until(() -> pod(pods.get(0)).getMetadata().getDeletionTimestamp() != null
                        && pod(pods.get(1)).getMetadata().getDeletionTimestamp() != null);
        assertThat(pod(pods.get(0)).getStatus().getPhase()).isEqualTo("Succeeded");

        fx.startDrover();
        ids.forEach(id -> awaitState(id, TaskState.SUCCEEDED));
        within(30)
                .alias("every result recorded, every pod gone (delete-on-success), no finalizer left")
                .until(() -> pods.stream().allMatch(p -> pod(p) == null));
    }

    @Test
    void aPodDeletedWhileTheWorkerIsDownAndBeforeItRanFailsItsTryWhenTheWorkerStarts() {
        fx.startDrover();
        TaskHandle h =
                fx.drover.submit(fx.task("slow", "run=60s; bind-delay=60s").build());
        awaitState(h.id(), TaskState.PENDING);
        fx.drover.close();
        fx.drover = null;
        String name = podOf(fx.store.get(h.id()).orElseThrow());

        kubectlDelete(name); // not bound to a node: the apiserver ends its grace at once; the finalizer keeps it
        within(30).until(() -> pod(name).getMetadata().getDeletionTimestamp() != null);

        fx.startDrover();
        awaitState(h.id(), TaskState.FAILED);
        assertThat(fx.store.get(h.id()).orElseThrow().failure().reason()).isEqualTo("DeletedBeforeCompletion");
        within(30).until(() -> pod(name) == null);
    }

    @Test
    void tasksInFlightInANamespaceBeingDeletedEndAndLeaveNoPodBehind() {
        fx.startDrover();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(fx.drover.submit(fx.task("doomed" + i, "run=60s").build()).id());
        }
        ids.forEach(id -> awaitState(id, TaskState.RUNNING));
        List<String> pods =
                ids.stream().map(id -> podOf(fx.store.get(id).orElseThrow())).toList();

        fx.admin.namespaces().withName(fx.ns).delete();
        // The test ground runs no controller manager: do what its namespace controller does next.
        fx.admin.pods().inNamespace(fx.ns).delete();

        ids.forEach(id -> awaitState(id, TaskState.FAILED));
        assertThat(ids)
                .allSatisfy(id -> assertThat(
                                fx.store.get(id).orElseThrow().failure().reason())
                        .isEqualTo("DeletedBeforeCompletion"));
        within(30).until(() -> pods.stream().allMatch(p -> pod(p) == null));
        TaskHandle late = fx.drover.submit(fx.task("late", "run=1s").build());
        awaitState(late.id(), TaskState.FAILED);
        assertThat(fx.store.get(late.id()).orElseThrow().failure().message()).contains("being terminated");
    }

    @Test
    void gcReleasesPodsOfTasksThatEndedOrAreUnknownAndLeavesThoseInFlight() {
        fx.startDrover();
        TaskHandle running = fx.drover.submit(fx.task("running", "run=60s").build());
        awaitState(running.id(), TaskState.RUNNING);
        fx.drover.close();
        fx.drover = null;
        // A pod of a task this store never had (another store's, or a task deleted from it) ...
        Pod stranger = fx.admin
                .getKubernetesSerialization()
                .convertValue(PodFactory.build(fx.task("stranger", "run=60s").build(), "gone", 1, "nobody"), Pod.class);
        fx.admin.pods().inNamespace(fx.ns).resource(stranger).create();
        // ... and one of an ended task, deleted while its finalizer stayed (its cleanup never ran).
        Task ended = fx.store.insert(TaskIds.next(), fx.task("ended", "run=60s").build(), java.time.Instant.now());
        Pod endedPod = fx.admin
                .getKubernetesSerialization()
                .convertValue(PodFactory.build(ended.spec(), ended.id(), 1, "nobody"), Pod.class);
        fx.admin.pods().inNamespace(fx.ns).resource(endedPod).create();
        fx.store.requestCancel(ended.id(), java.time.Instant.now());
        fx.store.transition(
                ended.id(),
                1,
                java.util.EnumSet.of(TaskState.QUEUED),
                TaskState.CANCELLED,
                "cancelled before launch",
                null,
                null,
                java.time.Instant.now());
        kubectlDelete(endedPod.getMetadata().getName());

        try (Drover gc = Drover.builder(fx.config, fx.store).build()) {
            Drover.FinalizerReport r = gc.releaseFinalizers(List.of(fx.ns));
            assertThat(r.released())
                    .containsExactlyInAnyOrder(
                            fx.ns + "/" + stranger.getMetadata().getName(),
                            fx.ns + "/" + endedPod.getMetadata().getName());
            assertThat(r.kept())
                    .containsExactly(
                            fx.ns + "/" + podOf(fx.store.get(running.id()).orElseThrow()));
            assertThat(r.held()).isEqualTo(3);
        }
        within(30).until(() -> pod(endedPod.getMetadata().getName()) == null);
        assertThat(pod(stranger.getMetadata().getName()).getMetadata().getFinalizers())
                .isEmpty();
        assertThat(pod(podOf(fx.store.get(running.id()).orElseThrow()))
                        .getMetadata()
                        .getFinalizers())
                .containsExactly(PodLabels.FINALIZER);
    }

    @Test
    void cancelAndTimeoutsLeaveNoFinalizerAndUnderNeverTheKeptPodIsLabelledDone() {
        fx.startDrover();
        TaskHandle cancelled = fx.drover.submit(fx.task("cancelled", "run=60s").build());
        TaskHandle timedOut = fx.drover.submit(
                fx.task("late", "run=60s").runTimeout(Duration.ofSeconds(2)).build());
        TaskHandle kept = fx.drover.submit(fx.task("kept", "run=60s")
                .runTimeout(Duration.ofSeconds(2))
                .cleanup(CleanupPolicy.NEVER)
                .build());
        awaitState(cancelled.id(), TaskState.RUNNING);
        fx.drover.cancel(cancelled.id());

        awaitState(cancelled.id(), TaskState.CANCELLED);
        awaitState(timedOut.id(), TaskState.FAILED);
        awaitState(kept.id(), TaskState.FAILED);
        String cancelledPod = podOf(fx.store.get(cancelled.id()).orElseThrow());
        String timedOutPod = podOf(fx.store.get(timedOut.id()).orElseThrow());
        String keptPod = podOf(fx.store.get(kept.id()).orElseThrow());
        within(30).until(() -> pod(cancelledPod) == null && pod(timedOutPod) == null);
        within(30)
                .until(() ->
                        "true".equals(pod(keptPod).getMetadata().getLabels().get(PodLabels.DONE)));
        assertThat(pod(keptPod).getMetadata().getFinalizers()).isEmpty();
        assertThat(pod(keptPod).getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void aFinalizerOnPodsMadeBeforeTheFeatureWasTurnedOffIsStillDropped() {
        fx.startDrover();
        TaskHandle h = fx.drover.submit(fx.task("before", "run=4s").build());
        awaitState(h.id(), TaskState.RUNNING);
        fx.drover.close();
        String name = podOf(fx.store.get(h.id()).orElseThrow());
        assertThat(pod(name).getMetadata().getFinalizers()).containsExactly(PodLabels.FINALIZER);

        fx.startDrover(b -> b.podFinalizer(false));
        TaskHandle after = fx.drover.submit(fx.task("after", "run=60s").build());
        awaitState(h.id(), TaskState.SUCCEEDED);
        within(30).until(() -> pod(name) == null);
        awaitState(after.id(), TaskState.RUNNING);
        assertThat(pod(podOf(fx.store.get(after.id()).orElseThrow()))
                        .getMetadata()
                        .getFinalizers())
                .isEmpty();
    }
}
