package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Crashes, restarts and an overloaded apiserver. */
@KubernetesTest
class ExecutorRecoveryTest {
    /** The store the executor runs on: H2 in memory here; its {@code OnPostgres} subclass runs the same tests on PostgreSQL. */
    TaskStore openStore() {
        return ExecutorFixture.h2Store();
    }

    @Test
    void aCreateRepeatedAfterACrashFindsThePodOursAndAStrangersPodIsNot(TestGround ground, TestNamespace ns) {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            Task t = fx.store.insert(TaskIds.next(), fx.task("idem", "run=1s").build(), Instant.now());
            Task claimed = fx.store.claim(fx.schedulerId, 1, Instant.now()).getFirst();
            PodLauncher launcher = new PodLauncher(fx.api, fx.schedulerId, Duration.ofSeconds(1), true);

            assertThat(launcher.launch(claimed)).isEqualTo(new LaunchResult.Created("idem-" + t.id() + "-1", false));
            assertThat(launcher.launch(claimed)).isEqualTo(new LaunchResult.Created("idem-" + t.id() + "-1", true));

            Pod stranger = fx.admin
                    .getKubernetesSerialization()
                    .convertValue(PodFactory.build(fx.task("idem", null).build(), "other", 1, "someone"), Pod.class);
            stranger.getMetadata().setName("idem-" + t.id() + "-2");
            fx.admin.pods().inNamespace(ns.name()).resource(stranger).create();
            Task retry = new Task(
                    t.id(),
                    t.spec(),
                    t.cluster(),
                    TaskState.LAUNCHING,
                    2,
                    null,
                    null,
                    null,
                    fx.schedulerId,
                    false,
                    t.createdAt(),
                    t.updatedAt(),
                    t.nextAttemptAt(),
                    t.infraFailures());
            assertThat(launcher.launch(retry))
                    .isInstanceOfSatisfying(
                            LaunchResult.Rejected.class,
                            r -> assertThat(r.details().reason()).isEqualTo("NameTaken"));
        }
    }

    @Test
    void tasksTheStoreHoldsForThisSchedulerButItDoesNotArePickedUpWhileItRuns(TestGround ground, TestNamespace ns)
            throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            fx.startDrover(b -> b.reconcileInterval(Duration.ofMillis(300)));
            // Inserted as due in an hour, so the running scheduler's own claims pass them by; then
            // claimed for it behind its back: in flight for it in the store, unknown to its memory.
            Instant later = Instant.now().plus(Duration.ofHours(1));
            Task launching =
                    fx.store.insert(TaskIds.next(), fx.task("stray", "run=1s").build(), later);
            Task pending =
                    fx.store.insert(TaskIds.next(), fx.task("gone", "run=1s").build(), later);
            assertThat(fx.store.claim(fx.schedulerId, 2, later)).hasSize(2);
            fx.store
                    .transition(
                            pending.id(),
                            1,
                            Set.of(TaskState.LAUNCHING),
                            TaskState.PENDING,
                            "its pod was seen once",
                            null,
                            null,
                            Instant.now())
                    .orElseThrow();

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fx.store.get(launching.id()).orElseThrow().state() == TaskState.SUCCEEDED);
            Task vanished = fx.store.get(pending.id()).orElseThrow();
            assertThat(vanished.state()).isEqualTo(TaskState.FAILED);
            assertThat(vanished.failure().reason()).isEqualTo("PodVanished");
        }
    }

    @Test
    void aCrashBetweenCreateAndCommitNeverYieldsASecondPod(TestGround ground, TestNamespace ns) throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            // The crashed scheduler claimed the task and created its pod, then died before it saw the pod.
            Task t = fx.store.insert(TaskIds.next(), fx.task("crashy", "run=1s").build(), Instant.now());
            Task claimed = fx.store.claim(fx.schedulerId, 1, Instant.now()).getFirst();
            new PodLauncher(fx.api, fx.schedulerId, Duration.ofSeconds(1), true).launch(claimed);

            fx.startDrover();

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fx.store.get(t.id()).orElseThrow().state() == TaskState.SUCCEEDED);
            List<Pod> pods = fx.admin
                    .pods()
                    .inNamespace(ns.name())
                    .withLabel(PodLabels.TASK_ID, t.id())
                    .list()
                    .getItems();
            assertThat(pods).hasSizeLessThanOrEqualTo(1); // deleted on success, or about to be: never two
            assertThat(fx.store.get(t.id()).orElseThrow().tryNumber()).isEqualTo(1);
        }
    }

    @Test
    void aRestartedSchedulerRecordsWhatFinishedWhileItWasDownAndRetriesWhatVanished(TestGround ground, TestNamespace ns)
            throws Exception {
        try (ExecutorFixture fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore())) {
            Drover first = fx.startDrover();
            TaskHandle quick = first.submit(fx.task("quick", "run=3s").build());
            TaskHandle lost = first.submit(fx.task("lost", "run=60s")
                    .retries(1, Duration.ofMillis(100))
                    .build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fx.store.get(quick.id()).orElseThrow().state() == TaskState.RUNNING
                            && fx.store.get(lost.id()).orElseThrow().state() == TaskState.RUNNING);

            first.close(); // the scheduler goes away; its pods do not
            fx.drover = null;
            String lostPod = fx.store.get(lost.id()).orElseThrow().podName();
            // Forced out: someone drops Drover's finalizer and deletes at once, so the pod is really
            // gone (a plain delete would leave it held, and its try end as DeletedBeforeCompletion).
            fx.admin
                    .pods()
                    .inNamespace(ns.name())
                    .withName(lostPod)
                    .edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                            .editMetadata()
                            .withFinalizers(List.of())
                            .endMetadata()
                            .build());
            fx.admin
                    .pods()
                    .inNamespace(ns.name())
                    .withName(lostPod)
                    .withGracePeriod(0)
                    .delete();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Pod p = fx.admin
                        .pods()
                        .inNamespace(ns.name())
                        .withName(fx.store.get(quick.id()).orElseThrow().podName())
                        .get();
                return p != null && "Succeeded".equals(p.getStatus().getPhase());
            });

            fx.startDrover();

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fx.store.get(quick.id()).orElseThrow().state() == TaskState.SUCCEEDED);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fx.store.get(lost.id()).orElseThrow().tryNumber() == 2);
            List<Transition> history = fx.store.transitions(lost.id());
            assertThat(history)
                    .anyMatch(tr ->
                            tr.to() == TaskState.UP_FOR_RETRY && tr.reason().contains("PodVanished"));
        }
    }

    @Test
    void launchesThrottledWith429AreRequeuedAndAllTasksStillRun() throws Exception {
        try (TestGround ground =
                TestGround.builder().maxRequestsInflight(0, 1).build().start()) {
            String ns = ground.createNamespace("throttled");
            TestUser runner = ground.restrictedUser(
                    ns,
                    "runner",
                    RbacRule.of("", "pods", "create", "get", "list", "watch", "patch", "delete"),
                    RbacRule.of("", "pods/log", "get"),
                    RbacRule.of("", "events", "list", "watch"));
            try (ExecutorFixture fx = new ExecutorFixture(ground, ns, runner.config(), openStore())) {
                fx.drover = Drover.builder(fx.config, fx.store)
                        .schedulerId(fx.schedulerId)
                        .tick(Duration.ofMillis(100))
                        .launchRate(1000, 40)
                        .parallelism(40)
                        .build()
                        .start();
                List<TaskHandle> handles = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    handles.add(fx.drover.submit(fx.task("t" + i, "run=500ms").build()));
                }

                for (TaskHandle h : handles) {
                    assertThat(h.result().get(120, TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
                }
                assertThat(handles.stream().flatMap(h -> fx.store.transitions(h.id()).stream()))
                        .anyMatch(tr -> tr.reason() != null && tr.reason().startsWith("launch deferred: 429"));
            }
        }
    }
}
