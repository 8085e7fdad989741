package dev.drover.sim;

import static dev.drover.sim.TestPods.condition;
import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static dev.drover.sim.TestPods.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** {@code disrupt}: the DisruptionTarget condition of Kubernetes 1.26+, then what its writer does. */
@KubernetesTest
class DisruptionTest extends SimulatorTest {
    private static boolean disrupted(Pod p) {
        return p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("DisruptionTarget"));
    }

    @Test
    void anEvictionMarksThePodAsADisruptionTargetThenDeletesItGracefully(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("drained", "run=1m; disrupt=EvictionByEvictionAPI@300ms", container("main", "x")));

            eventually().until(() -> recorder.versions("drained").size() > 1 && get(client, ns, "drained") == null);

            Pod marked = recorder.versions("drained").stream()
                    .filter(DisruptionTest::disrupted)
                    .findFirst()
                    .orElseThrow();
            // The condition comes first, while the pod still runs; the deletion after it.
            assertThat(marked.getMetadata().getDeletionTimestamp()).isNull();
            assertThat(marked.getStatus().getPhase()).isEqualTo("Running");
            PodCondition c = condition(marked, "DisruptionTarget");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("EvictionByEvictionAPI");
            assertThat(c.getMessage()).isEqualTo("Eviction API: evicting");
            Pod end = last(recorder, "drained");
            assertThat(end.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(end.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(0L);
            assertThat(end.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(condition(end, "DisruptionTarget").getReason()).isEqualTo("EvictionByEvictionAPI");
            assertThat(status(end, "main").getState().getTerminated().getExitCode())
                    .isEqualTo(143);
            // The graceful delete carried the pod's grace period (default 30 s) before the kubelet's own.
            assertThat(recorder.versions("drained").stream()
                            .map(p -> p.getMetadata().getDeletionGracePeriodSeconds())
                            .filter(g -> g != null && g > 0))
                    .isNotEmpty();
        }
    }

    @Test
    void aPreemptionByDefaultNamesTheSchedulerInItsMessage(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("victim", "run=1m; disrupt", container("main", "x")));

            eventually().until(() -> recorder.versions("victim").size() > 1 && get(client, ns, "victim") == null);

            PodCondition c = condition(last(recorder, "victim"), "DisruptionTarget");
            assertThat(c.getReason()).isEqualTo("PreemptionByScheduler");
            assertThat(c.getMessage()).isEqualTo("default-scheduler: preempting to accommodate a higher priority pod");
        }
    }

    @Test
    void theTaintManagerDeletesWithItsOwnReason(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("tainted", "run=1m; disrupt=DeletionByTaintManager", container("main", "x")));

            eventually().until(() -> recorder.versions("tainted").size() > 1 && get(client, ns, "tainted") == null);

            PodCondition c = condition(last(recorder, "tainted"), "DisruptionTarget");
            assertThat(c.getReason()).isEqualTo("DeletionByTaintManager");
            assertThat(c.getMessage()).isEqualTo("Taint manager: deleting due to NoExecute taint");
        }
    }

    @Test
    void aNodeShutdownFailsThePodWithoutDeletingIt(KubernetesClient client) {
        create(client, ns, pod("shutdown", "run=1m; disrupt=TerminationByKubelet@200ms", container("main", "x")));

        eventually().until(() -> "Failed".equals(phase(client, ns, "shutdown")));

        Pod pod = get(client, ns, "shutdown");
        assertThat(pod.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(pod.getStatus().getReason()).isEqualTo("Terminated");
        assertThat(pod.getStatus().getMessage()).isEqualTo("Pod was terminated in response to imminent node shutdown.");
        PodCondition c = condition(pod, "DisruptionTarget");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("TerminationByKubelet");
        assertThat(c.getMessage()).isEqualTo(pod.getStatus().getMessage());
        assertThat(status(pod, "main").getState().getTerminated().getExitCode()).isEqualTo(143);
    }
}
