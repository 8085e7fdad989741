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
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pods with a finalizer, as Drover creates them: the kubelet finishes its part of a deletion and
 * the pod object stays, logs and all, until the finalizer is removed.
 */
@KubernetesTest
class FinalizerTest extends SimulatorTest {
    private static final String FINALIZER = "drover.dev/result";

    private static Pod withFinalizer(Pod pod) {
        pod.getMetadata().setFinalizers(List.of(FINALIZER));
        return pod;
    }

    private void removeFinalizer(KubernetesClient client, String name) {
        client.pods()
                .inNamespace(ns)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }

    @Test
    void aDeletedRunningPodIsKilledReportedAndHeldUntilTheFinalizerGoes(KubernetesClient client) throws Exception {
        create(client, ns, withFinalizer(pod("held", "run=1m; log=started|working", container("main", "x"))));
        eventually().until(() -> "Running".equals(phase(client, ns, "held")));

        client.pods().inNamespace(ns).withName("held").delete();

        eventually().until(() -> "Failed".equals(phase(client, ns, "held")));
        // Held: the kubelet's DELETE (grace 0) went out once; the finalizer keeps the object.
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> get(client, ns, "held") != null && sim.stats().writes("delete") == 1);
        Pod held = get(client, ns, "held");
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(held.getMetadata().getFinalizers()).containsExactly(FINALIZER);
        var terminated = status(held, "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(143);
        assertThat(terminated.getReason()).isEqualTo("Error");
        // The dead container's log stays readable while the pod object exists.
        assertThat(client.pods().inNamespace(ns).withName("held").getLog()).isEqualTo("started\n");

        removeFinalizer(client, "held");

        eventually().until(() -> get(client, ns, "held") == null);
        // Gone from the API, gone from the kubelet.
        eventually().until(() -> KubeletPort.containerLogs(sim, ns, "held", "main") == 404);
        assertThat(sim.stats().writes("delete")).isEqualTo(1);
    }

    @Test
    void aPodThatEndedBeforeItsDeletionIsJustHeld(KubernetesClient client) throws Exception {
        create(client, ns, withFinalizer(pod("done", "run=100ms; log=all done", container("main", "x"))));
        eventually().until(() -> "Succeeded".equals(phase(client, ns, "done")));

        client.pods().inNamespace(ns).withName("done").delete();

        eventually().until(() -> get(client, ns, "done").getMetadata().getDeletionTimestamp() != null);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> "Succeeded".equals(phase(client, ns, "done"))
                        && sim.stats().writes("delete") <= 1);
        assertThat(TestPods.reasons(client, ns, "done")).doesNotContain("Killing");
        assertThat(client.pods().inNamespace(ns).withName("done").getLog()).isEqualTo("all done\n");

        removeFinalizer(client, "done");

        eventually().until(() -> get(client, ns, "done") == null);
        eventually().until(() -> KubeletPort.containerLogs(sim, ns, "done", "main") == 404);
    }

    @Test
    void aPodDeletedBeforeItsContainerStartedEndsFailedNotPending(KubernetesClient client) {
        create(client, ns, withFinalizer(pod("unpulled", "pull-fail; pull-backoff=100ms", container("main", "x"))));
        eventually().until(() -> "ErrImagePull".equals(TestPods.waitingReason(get(client, ns, "unpulled"), "main")));

        client.pods().inNamespace(ns).withName("unpulled").delete();

        eventually().until(() -> "Failed".equals(phase(client, ns, "unpulled")));
        var terminated = status(get(client, ns, "unpulled"), "main").getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getReason()).isEqualTo("ContainerStatusUnknown");
        assertThat(terminated.getMessage()).isEqualTo("The container could not be located when the pod was terminated");
        assertThat(terminated.getStartedAt()).isNull();
        assertThat(get(client, ns, "unpulled").getMetadata().getFinalizers()).containsExactly(FINALIZER);

        removeFinalizer(client, "unpulled");

        eventually().until(() -> get(client, ns, "unpulled") == null);
    }
}
