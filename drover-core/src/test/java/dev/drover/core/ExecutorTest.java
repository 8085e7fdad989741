package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.core.store.TaskStore;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The executor end to end: real apiserver, simulated nodes, a store (H2 here, PostgreSQL in {@link ExecutorOnPostgresTest}). */
@KubernetesTest
class ExecutorTest {
    /** The store the executor runs on: H2 in memory here; its {@code OnPostgres} subclass runs the same tests on PostgreSQL. */
    TaskStore openStore() {
        return ExecutorFixture.h2Store();
    }

    /** A task that runs and succeeds goes through every state once, in this order. */
    static final java.util.List<TaskState> EVERY_STATE_TO_SUCCESS = java.util.List.of(
            TaskState.QUEUED, TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING, TaskState.SUCCEEDED);

    private ExecutorFixture fx;

    @BeforeEach
    void setUp(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name(), ground.adminConfig(), openStore());
        fx.startDrover();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Pod pod(Task t) {
        return fx.admin.pods().inNamespace(fx.ns).withName(t.podName()).get();
    }

    @Test
    void aTaskRunsToSucceededThroughEveryStateAndItsPodIsDeleted() throws Exception {
        Task done = fx.runToEnd(fx.task("hello", "run=1s").build());

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fx.states(done.id())).containsExactlyElementsOf(EVERY_STATE_TO_SUCCESS);
        assertThat(done.podName()).isEqualTo("hello-" + done.id() + "-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> pod(done) == null);
    }

    @Test
    void aFailingContainerFailsTheTaskWithExitCodeEventsAndLogTail() throws Exception {
        Task done = fx.runToEnd(fx.task("crunch", "run=1s; exit=3; log=reading input|boom: no such file")
                .build());

        assertThat(done.state()).isEqualTo(TaskState.FAILED);
        assertThat(done.failure().container()).isEqualTo("main");
        assertThat(done.failure().exitCode()).isEqualTo(3);
        assertThat(done.failure().reason()).isEqualTo("Error");
        assertThat(done.failure().logTail()).containsExactly("reading input", "boom: no such file");
        assertThat(done.failure().events()).anyMatch(e -> e.contains("Started"));
        // DELETE_ON_SUCCESS keeps a failed pod for inspection, labelled done
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(pod(done).getMetadata().getLabels()).containsEntry(PodLabels.DONE, "true"));
    }

    @Test
    void aPermanentPullFailureFailsFastWhileRegistryThrottlingDoesNot() throws Exception {
        Task pullFail = fx.runToEnd(fx.task("nopull", "pull-fail").build());
        Task throttled =
                fx.runToEnd(fx.task("throttled", "pull-throttle=2; run=1s").build());

        assertThat(pullFail.state()).isEqualTo(TaskState.FAILED);
        assertThat(pullFail.failure().reason()).isEqualTo("ErrImagePull");
        assertThat(throttled.state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void fatalWaitingReasonsOtherThanPullsFailToo() throws Exception {
        assertThat(fx.runToEnd(fx.task("cfg", "config-error").build()).failure().reason())
                .isEqualTo("CreateContainerConfigError");
        assertThat(fx.runToEnd(fx.task("badimage", "invalid-image").build())
                        .failure()
                        .reason())
                .isEqualTo("InvalidImageName");
    }

    @Test
    void providerFailedOomKilledInitFailureAndEvictionAllFailWithTheirReason() throws Exception {
        assertThat(fx.runToEnd(fx.task("provider", "provider-failed").build())
                        .failure()
                        .reason())
                .isEqualTo("ProviderFailed");
        Task oom = fx.runToEnd(fx.task("oom", "oom").build());
        assertThat(oom.failure().reason()).isEqualTo("OOMKilled");
        assertThat(oom.failure().exitCode()).isEqualTo(137);
        Task init = fx.runToEnd(fx.task("init", "init-fail=2")
                .podOverride("spec: {initContainers: [{name: setup, image: registry.example/setup:1}]}")
                .build());
        assertThat(init.failure().container()).isEqualTo("setup");
        assertThat(init.failure().exitCode()).isEqualTo(2);
        assertThat(fx.runToEnd(fx.task("evicted", "run=5s; evict=500ms")
                                .infraRetries(0) // no try for free: the eviction is the task's failure
                                .build())
                        .failure()
                        .reason())
                .isEqualTo("Evicted");
    }

    @Test
    void anEvictedTryIsRetriedWithoutUsingARetryAndTheNextTrySucceeds() throws Exception {
        // The behaviour is read per pod once it is bound: every try waits 3 s for its node, and in
        // that time the second try's pod is told to run and end well instead of being evicted.
        TaskHandle h = fx.drover.submit(fx.task("evicted-once", "bind-delay=3s; run=1m; evict=1s")
                .retries(0, Duration.ofMillis(500))
                .build());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !fx.admin
                        .pods()
                        .inNamespace(fx.ns)
                        .withLabel(PodLabels.TASK_ID, h.id())
                        .withLabel(PodLabels.TRY, "2")
                        .list()
                        .getItems()
                        .isEmpty());
        String second = TaskIds.podName("evicted-once", h.id(), 2);
        fx.admin.pods().inNamespace(fx.ns).withName(second).edit(p -> {
            p.getMetadata().getAnnotations().put(ExecutorFixture.BEHAVIOR, "run=500ms");
            return p;
        });

        Task done = h.result().get(60, TimeUnit.SECONDS);

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.tryNumber())
                .as("a second try, though the task has no retries")
                .isEqualTo(2);
        assertThat(fx.store.get(h.id()).orElseThrow().infraFailures()).isEqualTo(1);
        assertThat(fx.store.transitions(h.id()))
                .filteredOn(t -> t.to() == TaskState.UP_FOR_RETRY)
                .singleElement()
                .satisfies(t -> assertThat(t.reason())
                        .startsWith("try 1 ended by the node: Evicted (The node was low on resource: memory.")
                        .contains("retried without using a retry (infrastructure budget 1 of 3 used)"));
    }

    @Test
    void aPodDeletedWhileRunningFailsTheTaskAsDeletedBeforeCompletion() throws Exception {
        TaskHandle h = fx.drover.submit(fx.task("victim", "run=60s").build());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);

        fx.admin
                .pods()
                .inNamespace(fx.ns)
                .withName(fx.store.get(h.id()).orElseThrow().podName())
                .delete();

        Task done = h.result().get(60, TimeUnit.SECONDS);
        assertThat(done.state()).isEqualTo(TaskState.FAILED);
        assertThat(done.failure().reason()).isEqualTo("DeletedBeforeCompletion");
    }

    @Test
    void cancelRevokesAndDeletesThePod() throws Exception {
        TaskHandle h = fx.drover.submit(fx.task("long", "run=60s").build());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> fx.store.get(h.id()).orElseThrow().state() == TaskState.RUNNING);
        String podName = fx.store.get(h.id()).orElseThrow().podName();

        assertThat(fx.drover.cancel(h.id())).isTrue();

        Task done = h.result().get(30, TimeUnit.SECONDS);
        assertThat(done.state()).isEqualTo(TaskState.CANCELLED);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        fx.admin.pods().inNamespace(fx.ns).withName(podName).get() == null);
        assertThat(fx.states(h.id())).doesNotContain(TaskState.FAILED);
    }

    @Test
    void aQueuedTaskCancelsWithoutEverLaunching() throws Exception {
        fx.drover.close();
        var store = fx.store;
        // a second Drover that never runs: just the API over the same store
        fx.drover = Drover.builder(fx.config, store).schedulerId(fx.schedulerId).build();
        TaskHandle h = fx.drover.submit(fx.task("never", null).build());

        assertThat(fx.drover.cancel(h.id())).isTrue();
        fx.drover.start();

        Task done = h.result().get(30, TimeUnit.SECONDS);
        assertThat(done.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(fx.states(h.id())).containsExactly(TaskState.QUEUED, TaskState.CANCELLED);
    }

    @Test
    void failedTriesAreRetriedAfterABackoffThatDoublesUntilTheRetriesRunOut() throws Exception {
        Task done = fx.runToEnd(fx.task("flaky", "run=200ms; exit=1")
                .retries(2, Duration.ofSeconds(1))
                .build());

        assertThat(done.state()).isEqualTo(TaskState.FAILED);
        assertThat(done.tryNumber()).isEqualTo(3);
        List<Transition> history = fx.store.transitions(done.id());
        assertThat(history.stream().filter(t -> t.to() == TaskState.UP_FOR_RETRY))
                .hasSize(2);
        assertThat(history.stream().filter(t -> t.to() == TaskState.LAUNCHING)).hasSize(3);
        // Each retry is claimed only after its backoff: 1 s after try 1, 2 s after try 2.
        for (int failedTry = 1; failedTry <= 2; failedTry++) {
            int n = failedTry;
            Transition failed = history.stream()
                    .filter(t -> t.to() == TaskState.UP_FOR_RETRY && t.tryNumber() == n)
                    .findFirst()
                    .orElseThrow();
            Transition next = history.stream()
                    .filter(t -> t.to() == TaskState.LAUNCHING && t.tryNumber() == n + 1)
                    .findFirst()
                    .orElseThrow();
            assertThat(Duration.between(failed.at(), next.at()))
                    .as("backoff after try %d", n)
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1L << (n - 1)));
        }
    }

    @Test
    void cleanupPoliciesDecideWhichPodsStay() throws Exception {
        Task keptOnSuccess = fx.runToEnd(
                fx.task("never", "run=200ms").cleanup(CleanupPolicy.NEVER).build());
        Task deletedOnFailure = fx.runToEnd(fx.task("always", "run=200ms; exit=1")
                .cleanup(CleanupPolicy.ALWAYS)
                .build());

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(pod(keptOnSuccess).getMetadata().getLabels()).containsEntry(PodLabels.DONE, "true"));
        await().atMost(Duration.ofSeconds(30)).until(() -> pod(deletedOnFailure) == null);
    }

    @Test
    void anInvalidSpecIsRefusedAtSubmitNamingTheField() {
        assertThatThrownBy(() -> fx.drover.submit(
                        ExecutorFixture.unchecked(fx.task("x", null).build(), "spec: [oops")))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("podOverride:");
        assertThat(fx.store.list(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void submitAllQueuesABatchThatRunsToTheEndOrRefusesItWholeNamingTheBadTask() throws Exception {
        assertThatThrownBy(() -> fx.drover.submitAll(java.util.List.of(
                        fx.task("fine", null).build(),
                        ExecutorFixture.unchecked(fx.task("x", null).build(), "spec: [oops"))))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("tasks[1].podOverride:");
        assertThat(fx.store.list(java.util.Set.of(), 10)).as("nothing stored").isEmpty();

        java.util.List<TaskHandle> batch = fx.drover.submitAll(java.util.List.of(
                fx.task("one", "run=200ms").build(),
                fx.task("two", "run=200ms; exit=2").build(),
                fx.task("three", "run=200ms").build()));

        assertThat(batch).hasSize(3);
        java.util.List<TaskState> ends = new java.util.ArrayList<>();
        for (TaskHandle h : batch) {
            ends.add(h.result().get(60, TimeUnit.SECONDS).state());
        }
        assertThat(ends).containsExactly(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SUCCEEDED);
        assertThat(fx.states(batch.get(0).id())).containsExactlyElementsOf(EVERY_STATE_TO_SUCCESS);
    }

    @Test
    void aRetriedIdempotentSubmitReturnsTheFirstTasksWhichRunOnce() throws Exception {
        var key = new dev.drover.core.store.IdempotencyKey("alice", "retry-1", "hash-1");
        java.util.List<TaskSpec> specs = java.util.List.of(
                fx.task("one", "run=200ms").build(), fx.task("two", "run=200ms").build());

        dev.drover.core.store.Submission first = fx.drover.submitAll(specs, key);
        dev.drover.core.store.Submission retry = fx.drover.submitAll(specs, key);

        assertThat(first.replayed()).isFalse();
        assertThat(retry.replayed()).isTrue();
        java.util.List<String> ids = first.tasks().stream().map(Task::id).toList();
        assertThat(retry.tasks()).extracting(Task::id).isEqualTo(ids);
        // the handles are gone once their tasks ended: ask the store
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(fx.store.getAll(ids)).extracting(Task::state).containsOnly(TaskState.SUCCEEDED));
        assertThat(fx.store.list(java.util.Set.of(), 10)).hasSize(2);
        assertThatThrownBy(() -> fx.drover.submitAll(
                        specs, new dev.drover.core.store.IdempotencyKey("alice", "retry-1", "hash-2")))
                .isInstanceOf(dev.drover.core.store.IdempotencyConflictException.class);
        assertThatThrownBy(() -> fx.drover.submitAll(
                        java.util.List.of(
                                ExecutorFixture.unchecked(fx.task("x", null).build(), "spec: [oops")),
                        new dev.drover.core.store.IdempotencyKey("alice", "retry-2", "hash-3")))
                .as("checked before the key is looked at")
                .isInstanceOf(InvalidTaskException.class);
    }

    @Test
    void aPodTheApiServerRejectsFailsTheTaskWithItsMessageAndOthersGoOn() throws Exception {
        TaskHandle bad = fx.drover.submit(fx.task("bad", null)
                .podOverride("spec: {containers: [{name: main, ports: [{containerPort: 99999}]}]}")
                .build());
        TaskHandle good = fx.drover.submit(fx.task("good", "run=200ms").build());

        Task b = bad.result().get(30, TimeUnit.SECONDS);
        assertThat(b.state()).isEqualTo(TaskState.FAILED);
        assertThat(b.failure().reason()).isEqualTo("Invalid");
        assertThat(b.failure().message()).contains("containerPort");
        assertThat(good.result().get(60, TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aStartupTimeoutCountsFromWhenThePodWasSeenNotFromTheSubmit() throws Exception {
        fx.drover.close();
        fx.startDrover(b -> b.parallelism(1));
        // One slot: the second task's pod is created only once the first is done, long after its
        // submit; its startup timeout (3 s) is shorter than that wait, not than its own start.
        TaskHandle first = fx.drover.submit(fx.task("first", "run=6s").build());
        TaskHandle late = fx.drover.submit(fx.task("late", "run=500ms")
                .startupTimeout(Duration.ofSeconds(3))
                .build());
        TaskHandle stuck = fx.drover.submit(fx.task("stuck", "bind-delay=60s")
                .startupTimeout(Duration.ofSeconds(3))
                .build());

        assertThat(first.result().get(60, TimeUnit.SECONDS).state()).isEqualTo(TaskState.SUCCEEDED);
        Task lateDone = late.result().get(60, TimeUnit.SECONDS);
        Task stuckDone = stuck.result().get(60, TimeUnit.SECONDS);

        assertThat(Duration.between(
                        lateDone.createdAt(),
                        fx.store.transitions(late.id()).get(1).at()))
                .as("claimed after more than its startup timeout")
                .isGreaterThan(Duration.ofSeconds(3));
        assertThat(lateDone.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(stuckDone.state()).isEqualTo(TaskState.FAILED);
        assertThat(stuckDone.failure().reason()).isEqualTo("StartupTimeout");
    }

    @Test
    void aRunTimeoutFailsARunawayTask() throws Exception {
        Task done = fx.runToEnd(
                fx.task("runaway", "run=60s").runTimeout(Duration.ofSeconds(2)).build());

        assertThat(done.failure().reason()).isEqualTo("RunTimeout");
    }
}
