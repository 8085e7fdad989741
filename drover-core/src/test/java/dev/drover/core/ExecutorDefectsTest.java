package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.core.store.TaskStore;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Defects a review found, each on the real apiserver with simulated nodes. Each of these tests
 * failed on the code before its fix (see the project's notes of the reshape).
 */
@KubernetesTest
class ExecutorDefectsTest {
    /** The store the executor runs on: H2 in memory here; its {@code OnPostgres} subclass runs the same tests on PostgreSQL. */
    TaskStore openStore() {
        return ExecutorFixture.h2Store();
    }

    private static List<Pod> podsOf(ExecutorFixture fx, String taskId) {
        return fx.admin
                .pods()
                .inNamespace(fx.ns)
                .withLabel(PodLabels.TASK_ID, taskId)
                .list()
                .getItems();
    }

    @Test
    void aPodRelabelledAwayIsNeverFailedNorRunAgainByTheStrayPickUp(TestGround ground, TestNamespace ns)
            throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            fx.startDrover(b -> b.reconcileInterval(Duration.ofMillis(300)));
            TaskHandle h = fx.drover.submit(fx.task("adopted", "run=60s")
                    .retries(2, Duration.ofMillis(100))
                    .build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);
            String podName = fx.store.get(h.id()).orElseThrow().podName();

            fx.admin.pods().inNamespace(fx.ns).withName(podName).edit(p -> {
                p.getMetadata().getLabels().put(PodLabels.OWNER, "someone-else");
                return p;
            });

            await().atMost(Duration.ofSeconds(30)).until(() -> fx.drover.inFlight() == 0);
            // Ten reconcile intervals: a stray pick-up would have failed the try (PodVanished) by now.
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);
            assertThat(fx.states(h.id())).doesNotContain(TaskState.UP_FOR_RETRY, TaskState.FAILED);
            List<Pod> pods = podsOf(fx, h.id());
            assertThat(pods).hasSize(1);
            assertThat(pods.getFirst().getMetadata().getLabels()).doesNotContainKey(PodLabels.DONE);
        }
    }

    @Test
    void aNamespaceWhosePodsCannotBeListedHoldsBackOnlyItsOwnTasks(TestGround ground, TestNamespace ns)
            throws Exception {
        String locked = ground.createNamespace("locked");
        TestUser runner = ground.restrictedUser(
                ns.name(),
                "runner",
                RbacRule.of("", "pods", "create", "get", "list", "watch", "patch", "delete"),
                RbacRule.of("", "pods/log", "get"),
                RbacRule.of("", "events", "list", "watch"));
        ground.grant(runner, locked, RbacRule.of("", "pods", "create", "get", "patch", "delete")); // no list, no watch
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), runner.config(), openStore())) {
            // A task of the locked namespace in flight from before a restart: the store says RUNNING.
            Instant now = Instant.now();
            Task before = fx.store.insert(
                    TaskIds.next(),
                    fx.task("before", null).namespace(locked).build(),
                    now.minus(Duration.ofMinutes(1)));
            fx.store.claim(fx.schedulerId, 1, now);
            fx.store
                    .transition(
                            before.id(),
                            1,
                            java.util.Set.of(TaskState.LAUNCHING),
                            TaskState.RUNNING,
                            "was running",
                            null,
                            null,
                            now)
                    .orElseThrow();

            fx.startDrover(b -> b.namespaceWait(Duration.ofSeconds(2)));
            TaskHandle blocked = fx.drover.submit(
                    fx.task("blocked", "run=200ms").namespace(locked).build());
            TaskHandle free = fx.drover.submit(fx.task("free", "run=200ms").build());

            assertThat(free.result().get(60, TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            fx.store.get(blocked.id()).orElseThrow().reason().contains("not listed yet"));
            assertThat(fx.store.get(blocked.id()).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
            assertThat(fx.store.get(blocked.id()).orElseThrow().reason()).containsIgnoringCase("forbidden");
            assertThat(fx.admin.pods().inNamespace(locked).list().getItems())
                    .as("no pod where it could not be watched")
                    .isEmpty();
            assertThat(fx.store.get(before.id()).orElseThrow().state())
                    .as("waits for its namespace; never PodVanished")
                    .isEqualTo(TaskState.RUNNING);
            assertThat(fx.drover.namespaces()).anySatisfy(s -> {
                assertThat(s.namespace()).isEqualTo(locked);
                assertThat(s.synced()).isFalse();
            });
        }
    }

    @Test
    void aSlowKubeletHoldsBackOnlyItsOwnTasksFailureDetails(TestGround ground, TestNamespace ns) throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            fx.startDrover();
            TaskHandle slow = fx.drover.submit(fx.task("slow", "run=300ms; exit=1; log=it broke; log-delay=10s")
                    .build());
            TaskHandle quick = fx.drover.submit(fx.task("quick", "run=2s").build());

            Task quickDone = quick.result().get(60, TimeUnit.SECONDS);
            Task slowDone = slow.result().get(60, TimeUnit.SECONDS);

            assertThat(quickDone.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(slowDone.failure().logTail()).containsExactly("it broke");
            // The slow log read ran beside the pod news: the quick task's end was recorded first.
            assertThat(endOf(fx, quick.id())).isBefore(endOf(fx, slow.id()));
        }
    }

    private static Instant endOf(ExecutorFixture fx, String id) {
        return fx.store.transitions(id).getLast().at();
    }

    @Test
    void aCancelThroughAnotherDroverReachesTheTaskAndEndsItsHandle(TestGround ground, TestNamespace ns)
            throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            fx.startDrover();
            // A Drover that only submits and cancels (a client, e.g. a REST front): it schedules nothing.
            try (Drover client =
                    Drover.builder(fx.config, fx.store).schedulerId("client").build()) {
                TaskHandle h = client.submit(fx.task("long", "run=60s").build());
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);
                String podName = fx.store.get(h.id()).orElseThrow().podName();

                assertThat(client.cancel(h.id())).isTrue();

                assertThat(h.result().get(30, TimeUnit.SECONDS).state()).isEqualTo(TaskState.CANCELLED);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> fx.admin
                                        .pods()
                                        .inNamespace(fx.ns)
                                        .withName(podName)
                                        .get()
                                == null);
            }
        }
    }

    @Test
    void aPodThatSucceededWhileItsSchedulerWasDownWinsOverACancelAskedMeanwhile(TestGround ground, TestNamespace ns)
            throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            Drover first = fx.startDrover();
            TaskHandle h = first.submit(fx.task("done-while-down", "run=2s").build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);
            first.close();
            fx.drover = null;
            String podName = fx.store.get(h.id()).orElseThrow().podName();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Pod p = fx.admin.pods().inNamespace(fx.ns).withName(podName).get();
                return p != null && "Succeeded".equals(p.getStatus().getPhase());
            });
            fx.store.requestCancel(h.id(), Instant.now());

            fx.startDrover();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fx.store.get(h.id()).orElseThrow().state().isTerminal());
            assertThat(fx.store.get(h.id()).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    @Test
    void aTaskForANamespaceThatDoesNotExistIsRefusedAtSubmit(TestGround ground, TestNamespace ns) {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            fx.startDrover();

            assertThatThrownBy(() -> fx.drover.submit(
                            fx.task("lost", null).namespace("no-such-namespace").build()))
                    .isInstanceOf(InvalidTaskException.class)
                    .hasMessageStartingWith("namespace: namespace 'no-such-namespace' does not exist in cluster");
            assertThat(fx.store.list(java.util.Set.of(), 10)).isEmpty();
        }
    }

    @Test
    void aSchedulerOfAnotherClusterNeverClaimsTheTask(TestGround ground, TestNamespace ns) throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore());
                Drover elsewhere = Drover.builder(fx.config, fx.store)
                        .schedulerId("elsewhere")
                        .cluster("another-cluster")
                        .tick(Duration.ofMillis(50))
                        .build()
                        .start()) {
            try (Drover client =
                    Drover.builder(fx.config, fx.store).schedulerId("client").build()) {
                TaskHandle h = client.submit(fx.task("here", "run=200ms").build());
                assertThat(fx.store.get(h.id()).orElseThrow().cluster()).isEqualTo(client.cluster());

                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.QUEUED);

                fx.startDrover(); // a scheduler of the task's own cluster
                assertThat(h.result().get(60, TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
                assertThat(fx.store.transitions(h.id()))
                        .noneMatch(t -> t.reason() != null && t.reason().contains("elsewhere"));
            }
        }
    }
}
