package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static dev.drover.sim.TestPods.reasons;
import static dev.drover.sim.TestPods.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the simulated kubelet does when a pod gets a deletionTimestamp. */
@KubernetesTest
class GracefulDeletionTest extends SimulatorTest {
    @Test
    void deletingARunningPodStopsItsContainersWithSigtermFailsThePodAndRemovesIt(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("doomed", "run=1m", container("main", "sleep", "60")));
            eventually().until(() -> "Running".equals(phase(client, ns, "doomed")));

            client.pods().inNamespace(ns).withName("doomed").delete();

            eventually().until(() -> get(client, ns, "doomed") == null);
            Pod last = last(recorder, "doomed");
            assertThat(last.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(last.getStatus().getPhase()).isEqualTo("Failed");
            var terminated = status(last, "main").getState().getTerminated();
            assertThat(terminated.getExitCode()).isEqualTo(143);
            assertThat(terminated.getReason()).isEqualTo("Error");
            assertThat(terminated.getFinishedAt()).isNotNull();
        }
        eventually().until(() -> reasons(client, ns, "doomed").contains("Killing"));
        Event killing = TestPods.events(client, ns, "doomed").stream()
                .filter(e -> e.getReason().equals("Killing"))
                .findFirst()
                .orElseThrow();
        assertThat(killing.getMessage()).isEqualTo("Stopping container main");
        assertThat(killing.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
        assertThat(sim.stats().podsDeleted()).isEqualTo(1);
    }

    @Test
    void deletingASucceededPodJustRemovesIt(KubernetesClient client) {
        try (PodRecorder recorder = new PodRecorder(client, ns)) {
            create(client, ns, pod("done", "run=100ms", container("main", "true")));
            eventually().until(() -> "Succeeded".equals(phase(client, ns, "done")));

            client.pods().inNamespace(ns).withName("done").delete();

            eventually().until(() -> get(client, ns, "done") == null);
            assertThat(last(recorder, "done").getStatus().getPhase()).isEqualTo("Succeeded");
        }
        assertThat(reasons(client, ns, "done")).doesNotContain("Killing");
    }

    @Test
    void deletingAPodWhoseContainerNeverStartedRemovesIt(KubernetesClient client) {
        create(client, ns, pod("never", "config-error", container("main", "x")));
        eventually()
                .until(() ->
                        "CreateContainerConfigError".equals(TestPods.waitingReason(get(client, ns, "never"), "main")));

        client.pods().inNamespace(ns).withName("never").delete();

        eventually().until(() -> get(client, ns, "never") == null);
    }

    @Test
    void aDeletionWithoutGracePeriodKillsWithExitCode137(KubernetesClient client) {
        Pod held = pod("held", "run=1m", container("main", "sleep", "60"));
        held.getMetadata().setFinalizers(List.of("drover.dev/test-hold"));
        create(client, ns, held);
        eventually().until(() -> "Running".equals(phase(client, ns, "held")));

        // The finalizer keeps the object, so the kubelet sees deletionGracePeriodSeconds=0.
        client.pods().inNamespace(ns).withName("held").withGracePeriod(0).delete();

        eventually().until(() -> "Failed".equals(phase(client, ns, "held")));
        var terminated = status(get(client, ns, "held"), "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getReason()).isEqualTo("Error");
        client.pods()
                .inNamespace(ns)
                .withName("held")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
        eventually().until(() -> get(client, ns, "held") == null);
    }
}
