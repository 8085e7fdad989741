package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.kube.KubeApi;
import dev.drover.testkit.AuditLog;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Two replicas that both read a dead replica's pod and write to it: the pod's resourceVersion as a
 * precondition lets exactly one through, on the real apiserver, with its audit log as the witness.
 */
@KubernetesTest
class PodAdoptionRaceTest {
    private static final RbacRule PODS = RbacRule.of("", "pods", "get", "list", "watch", "patch", "delete");

    private static Pod deadReplicasPod(KubernetesClient admin, String ns, String name) {
        return admin.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels(PodLabels.OWNER, "dead-1")
                        .addToLabels(PodLabels.TASK_ID, name)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("main")
                        .withImage("registry.example/app:1")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
    }

    /** Both write at once, each with the resourceVersion it read. */
    private static List<Boolean> race(java.util.function.Supplier<Boolean> a, java.util.function.Supplier<Boolean> b) {
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> await(start, a));
        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> await(start, b));
        start.countDown();
        return List.of(first.join(), second.join());
    }

    private static boolean await(CountDownLatch start, java.util.function.Supplier<Boolean> write) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return write.get();
    }

    @Test
    void twoReplicasRelabellingOnePodProduceExactlyOneWinner(
            TestGround ground, TestNamespace ns, KubernetesClient admin) {
        TestUser r1 = ground.restrictedUser(ns.name(), "r1", PODS);
        TestUser r2 = ground.restrictedUser(ns.name(), "r2", PODS);
        try (KubeApi api1 = KubeApi.builder(r1.config()).build();
                KubeApi api2 = KubeApi.builder(r2.config()).build()) {
            PodCleanup one = new PodCleanup(api1);
            PodCleanup two = new PodCleanup(api2);
            for (int i = 0; i < 10; i++) {
                String name = "orphan-" + i;
                String rv =
                        deadReplicasPod(admin, ns.name(), name).getMetadata().getResourceVersion();

                List<Boolean> won =
                        race(() -> one.adopt(ns.name(), name, rv, "r1"), () -> two.adopt(ns.name(), name, rv, "r2"));

                assertThat(won).as("pod %s: who won", name).containsExactlyInAnyOrder(true, false);
                String owner = admin.pods()
                        .inNamespace(ns.name())
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getLabels()
                        .get(PodLabels.OWNER);
                assertThat(owner).isEqualTo(won.get(0) ? "r1" : "r2");
            }
        }
        List<AuditLog.Entry> relabels = AuditLog.read(ground, ns.name()).stream()
                .filter(e -> e.patchesLabel(PodLabels.OWNER))
                .toList();
        assertThat(relabels).hasSize(20);
        assertThat(relabels.stream().filter(e -> e.code() == 200)).hasSize(10);
        assertThat(relabels.stream().filter(e -> e.code() == 409)).hasSize(10);
        assertThat(relabels.stream().filter(e -> e.code() == 200).map(AuditLog.Entry::name))
                .doesNotHaveDuplicates();
    }

    @Test
    void aCleanupWithAStaleResourceVersionLeavesThePodAlone(
            TestGround ground, TestNamespace ns, KubernetesClient admin) {
        TestUser r1 = ground.restrictedUser(ns.name(), "r1", PODS);
        try (KubeApi api = KubeApi.builder(r1.config()).build()) {
            PodCleanup cleanup = new PodCleanup(api);
            String stale =
                    deadReplicasPod(admin, ns.name(), "kept").getMetadata().getResourceVersion();
            assertThat(cleanup.adopt(ns.name(), "kept", stale, "r2")).isTrue(); // someone adopted it meanwhile

            assertThat(cleanup.finishedIfUnchanged(ns.name(), "kept", stale, true))
                    .isFalse();
            assertThat(cleanup.finishedIfUnchanged(ns.name(), "kept", stale, false))
                    .isFalse();

            Pod pod = admin.pods().inNamespace(ns.name()).withName("kept").get();
            assertThat(pod).isNotNull();
            assertThat(pod.getMetadata().getLabels())
                    .containsEntry(PodLabels.OWNER, "r2")
                    .doesNotContainKey(PodLabels.DONE);
            assertThat(cleanup.finishedIfUnchanged(ns.name(), "gone", stale, true))
                    .as("a pod that is gone")
                    .isFalse();
        }
    }
}
