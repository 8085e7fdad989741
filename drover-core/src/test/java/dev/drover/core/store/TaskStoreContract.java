package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.core.CleanupPolicy;
import dev.drover.core.FailureDetails;
import dev.drover.core.Task;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskStore} does, whatever database is under it. Each test gets a fresh,
 * empty database.
 */
abstract class TaskStoreContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Set<TaskState> NOT_TERMINAL = EnumSet.of(
            TaskState.QUEUED, TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING, TaskState.UP_FOR_RETRY);

    TaskStore store;

    /** A store on a new, empty database. */
    abstract TaskStore openFreshStore();

    /** A second store (own pool) on the database of {@link #store}, like a second replica. */
    abstract TaskStore openSecondStore();

    /** The versions recorded in {@code drover_schema_history} of {@link #store}'s database. */
    abstract List<String> appliedMigrations();

    @BeforeEach
    void openStore() {
        store = openFreshStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static TaskSpec spec(String name) {
        return TaskSpec.builder(name)
                .image("busybox:1.36")
                .command("echo", "hi")
                .build();
    }

    Task submit(String id, Instant at) {
        return store.insert(id, spec(id), at);
    }

    /** Submits a task and claims it: LAUNCHING, try 1, owned by {@code owner}. Call before other submits. */
    Task launched(String id, String owner) {
        submit(id, T0);
        List<Task> claimed = store.claim(owner, 1, T0);
        assertThat(claimed).extracting(Task::id).containsExactly(id);
        return claimed.get(0);
    }

    static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::id).toList();
    }

    // --- insert, get, list

    @Test
    void insertStoresAQueuedTaskAtTryOneDueNow() {
        Task t = submit("task-1", T0);

        assertThat(t.state()).isEqualTo(TaskState.QUEUED);
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(t.owner()).isNull();
        assertThat(t.podName()).isNull();
        assertThat(t.cancelRequested()).isFalse();
        assertThat(t.createdAt()).isEqualTo(T0);
        assertThat(t.nextAttemptAt()).isEqualTo(T0);
        assertThat(store.get("task-1")).contains(t);
    }

    @Test
    void insertRecordsTheSubmissionAsFirstTransition() {
        submit("task-1", T0);

        assertThat(store.transitions("task-1"))
                .containsExactly(new Transition("task-1", 1, null, TaskState.QUEUED, T0, "submitted"));
    }

    @Test
    void insertRefusesAnIdThatExists() {
        submit("task-1", T0);

        assertThatThrownBy(() -> submit("task-1", T0.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task-1 already exists");
        assertThat(store.transitions("task-1")).hasSize(1);
    }

    @Test
    void insertAllStoresEveryTaskInOrderOrNoneWhenAnIdExists() {
        java.util.LinkedHashMap<String, TaskSpec> batch = new java.util.LinkedHashMap<>();
        batch.put("task-b", spec("task-b"));
        batch.put("task-a", spec("task-a"));

        List<Task> stored = store.insertAll(batch, T0);

        assertThat(stored).extracting(Task::id).containsExactly("task-b", "task-a");
        assertThat(stored).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.QUEUED));
        assertThat(store.get("task-a")).contains(stored.get(1));
        assertThat(store.transitions("task-b"))
                .containsExactly(new Transition("task-b", 1, null, TaskState.QUEUED, T0, "submitted"));
        assertThat(ids(store.claim("o", 5, T0))).as("submission order").containsExactly("task-b", "task-a");

        java.util.LinkedHashMap<String, TaskSpec> clash = new java.util.LinkedHashMap<>();
        clash.put("task-c", spec("task-c"));
        clash.put("task-a", spec("task-a"));
        assertThatThrownBy(() -> store.insertAll(clash, T0.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exists already");
        assertThat(store.get("task-c")).as("all or none").isEmpty();
    }

    @Test
    void everyFieldOfTheSpecReadsBackEqual() {
        TaskSpec spec = TaskSpec.builder("etl")
                .namespace("batch")
                .image("python:3.12")
                .command("python", "-c", "print(1)")
                .args(List.of("--day", "2030-01-01"))
                .env("B_FIRST", "1")
                .env("A_SECOND", "two words")
                .request("cpu", "500m")
                .limit("memory", "256Mi")
                .podTemplate("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: main\n")
                .podOverride("spec:\n  priorityClassName: high\n")
                .label("team", "data")
                .annotation("note", "ünïcødé \"quoted\"")
                .retries(3, Duration.ofSeconds(30))
                .startupTimeout(Duration.ofMinutes(2))
                .runTimeout(Duration.ofHours(1).plusMillis(1))
                .cleanup(CleanupPolicy.NEVER)
                .infraRetries(5)
                .build();

        store.insert("task-1", spec, T0);

        TaskSpec read = store.get("task-1").orElseThrow().spec();
        assertThat(read).isEqualTo(spec);
        assertThat(read.env().keySet()).containsExactly("B_FIRST", "A_SECOND");
    }

    @Test
    void timesAreKeptToTheMillisecond() {
        Instant precise = T0.plusNanos(123_456_789);

        Task t = store.insert("task-1", spec("task-1"), precise);

        Instant millis = T0.plusMillis(123);
        assertThat(t.createdAt()).isEqualTo(millis);
        assertThat(store.get("task-1").orElseThrow().createdAt()).isEqualTo(millis);
    }

    @Test
    void getOfAnUnknownIdIsEmpty() {
        assertThat(store.get("nope")).isEmpty();
        assertThat(store.transitions("nope")).isEmpty();
    }

    @Test
    void listIsNewestFirstFilteredByStateAndLimited() {
        for (int i = 1; i <= 5; i++) {
            submit("task-" + i, T0.plusSeconds(i));
        }
        store.claim("a", 2, T0.plusSeconds(10)); // task-1, task-2 → LAUNCHING

        assertThat(ids(store.list(Set.of(), 10))).containsExactly("task-5", "task-4", "task-3", "task-2", "task-1");
        assertThat(ids(store.list(Set.of(), 2))).containsExactly("task-5", "task-4");
        assertThat(ids(store.list(Set.of(TaskState.LAUNCHING), 10))).containsExactly("task-2", "task-1");
        assertThat(ids(store.list(EnumSet.of(TaskState.QUEUED, TaskState.LAUNCHING), 10)))
                .hasSize(5);
        assertThat(store.list(Set.of(TaskState.FAILED), 10)).isEmpty();
    }

    // --- claim

    @Test
    void claimTakesTheOldestFirstUpToMax() {
        submit("task-b", T0.plusSeconds(2));
        submit("task-a", T0.plusSeconds(1));
        submit("task-c", T0.plusSeconds(3));

        assertThat(ids(store.claim("a", 2, T0.plusSeconds(10)))).containsExactly("task-a", "task-b");
        assertThat(ids(store.claim("a", 2, T0.plusSeconds(10)))).containsExactly("task-c");
        assertThat(store.claim("a", 2, T0.plusSeconds(10))).isEmpty();
    }

    @Test
    void tasksSubmittedInTheSameMillisecondAreClaimedInSubmissionOrder() {
        for (String id : List.of("task-z", "task-m", "task-a")) {
            submit(id, T0);
        }

        assertThat(ids(store.claim("a", 3, T0))).containsExactly("task-z", "task-m", "task-a");
    }

    @Test
    void claimMovesTasksToLaunchingOwnedByTheClaimer() {
        submit("task-1", T0);

        Task t = store.claim("replica-1", 5, T0.plusSeconds(1)).get(0);

        assertThat(t.state()).isEqualTo(TaskState.LAUNCHING);
        assertThat(t.owner()).isEqualTo("replica-1");
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(t.updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.get("task-1")).contains(t);
        assertThat(store.transitions("task-1"))
                .last()
                .isEqualTo(new Transition(
                        "task-1", 1, TaskState.QUEUED, TaskState.LAUNCHING, T0.plusSeconds(1), "claimed by replica-1"));
    }

    @Test
    void claimLeavesTasksThatAreNotDueYet() {
        submit("task-1", T0.plusSeconds(5));

        assertThat(store.claim("a", 5, T0.plusSeconds(4))).isEmpty();
        assertThat(ids(store.claim("a", 5, T0.plusSeconds(5)))).containsExactly("task-1");
    }

    @Test
    void claimLeavesTasksWithACancelRequest() {
        submit("task-1", T0);
        submit("task-2", T0.plusSeconds(1));
        store.requestCancel("task-1", T0.plusSeconds(2));

        assertThat(ids(store.claim("a", 5, T0.plusSeconds(3)))).containsExactly("task-2");
    }

    @Test
    void claimFindsDueTasksBehindManyThatAreNot() {
        int blocked = JdbcTaskStore.claimWindow(1) * 2;
        for (int i = 0; i < blocked; i++) {
            submit("cancelled-%03d".formatted(i), T0);
            store.requestCancel("cancelled-%03d".formatted(i), T0);
            submit("later-%03d".formatted(i), T0.plusSeconds(3600));
        }
        submit("due", T0.plusSeconds(1));

        assertThat(ids(store.claim("a", 1, T0.plusSeconds(2)))).containsExactly("due");
    }

    @Test
    void claimTakesTheOldestAcrossQueuedTasksAndDueRetries() {
        launched("retry", "a");
        submit("queued", T0.plusSeconds(1));
        store.transition("retry", 1, Set.of(TaskState.LAUNCHING), TaskState.UP_FOR_RETRY, "r", null, T0, T0);

        assertThat(ids(store.claim("a", 1, T0.plusSeconds(2)))).containsExactly("retry");
        assertThat(ids(store.claim("a", 1, T0.plusSeconds(2)))).containsExactly("queued");
    }

    @Test
    void claimOfZeroClaimsNothing() {
        submit("task-1", T0);

        assertThat(store.claim("a", 0, T0)).isEmpty();
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.QUEUED);
    }

    @Test
    void aRetryWaitsForItsBackoffThenIsClaimedWithTheNextTryNumber() {
        Task t = launched("task-1", "a");
        store.transition(
                        "task-1",
                        1,
                        Set.of(TaskState.LAUNCHING),
                        TaskState.UP_FOR_RETRY,
                        "pod failed",
                        FailureDetails.of("Error", "exit 1"),
                        T0.plusSeconds(60),
                        T0.plusSeconds(1))
                .orElseThrow();

        assertThat(store.claim("b", 5, T0.plusSeconds(59))).isEmpty();
        Task retry = store.claim("b", 5, T0.plusSeconds(60)).get(0);

        assertThat(retry.tryNumber()).isEqualTo(t.tryNumber() + 1);
        assertThat(retry.state()).isEqualTo(TaskState.LAUNCHING);
        assertThat(retry.owner()).isEqualTo("b");
        assertThat(retry.podName())
                .as("the new try's pod")
                .isEqualTo(TaskIds.podName(t.spec().name(), "task-1", 2));
        assertThat(store.transitions("task-1"))
                .last()
                .isEqualTo(new Transition(
                        "task-1", 2, TaskState.UP_FOR_RETRY, TaskState.LAUNCHING, T0.plusSeconds(60), "claimed by b"));
    }

    // --- transition

    @Test
    void transitionMovesTheTaskAndReturnsItFresh() {
        launched("task-1", "a");
        FailureDetails failure =
                new FailureDetails("Error", "boom", "main", 3, List.of("Warning BackOff"), List.of("line 1", "line 2"));

        Task t = store.transition(
                        "task-1",
                        1,
                        Set.of(TaskState.LAUNCHING),
                        TaskState.FAILED,
                        "container main exited 3",
                        failure,
                        null,
                        T0.plusSeconds(5))
                .orElseThrow();

        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.reason()).isEqualTo("container main exited 3");
        assertThat(t.failure()).isEqualTo(failure);
        assertThat(t.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(t.owner()).isEqualTo("a");
        assertThat(store.get("task-1")).contains(t);
    }

    @Test
    void transitionWithoutFailureOrNextAttemptKeepsTheStoredOnes() {
        launched("task-1", "a");
        FailureDetails failure = FailureDetails.of("Error", "first");
        store.transition("task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.PENDING, "pod created", failure, null, T0);

        Task t = store.transition("task-1", 1, Set.of(TaskState.PENDING), TaskState.RUNNING, "running", null, null, T0)
                .orElseThrow();

        assertThat(t.failure()).isEqualTo(failure);
        assertThat(t.nextAttemptAt()).isEqualTo(T0);
        assertThat(store.get("task-1")).contains(t);
    }

    @Test
    void transitionRefusesAStaleTryNumber() {
        launched("task-1", "a");

        Optional<Task> moved = store.transition(
                "task-1", 2, Set.of(TaskState.LAUNCHING), TaskState.PENDING, "pod created", null, null, T0);

        assertThat(moved).isEmpty();
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.LAUNCHING);
        assertThat(store.transitions("task-1")).hasSize(2);
    }

    @Test
    void transitionRefusesATaskThatIsNotInOneOfTheFromStates() {
        launched("task-1", "a");

        Optional<Task> moved = store.transition(
                "task-1",
                1,
                EnumSet.of(TaskState.PENDING, TaskState.RUNNING),
                TaskState.SUCCEEDED,
                "done",
                null,
                null,
                T0);

        assertThat(moved).isEmpty();
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.LAUNCHING);
    }

    @Test
    void transitionOfAnUnknownTaskIsEmpty() {
        assertThat(store.transition("nope", 1, NOT_TERMINAL, TaskState.FAILED, "x", null, null, T0))
                .isEmpty();
    }

    @Test
    void aTerminalTaskNeverMovesAgain() {
        launched("task-1", "a");
        store.transition("task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.SUCCEEDED, "done", null, null, T0)
                .orElseThrow();

        for (TaskState to : TaskState.values()) {
            assertThat(store.transition("task-1", 1, NOT_TERMINAL, to, "late", null, null, T0.plusSeconds(1)))
                    .as("to %s", to)
                    .isEmpty();
        }
        assertThat(store.requestCancel("task-1", T0.plusSeconds(1))).isFalse();
        assertThat(store.claim("a", 5, T0.plusSeconds(1))).isEmpty();
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(store.transitions("task-1")).hasSize(3);
    }

    @Test
    void aTerminalStateMovesOnlyWhenFromNamesItExplicitly() {
        launched("task-1", "a");
        store.transition("task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.SUCCEEDED, "done", null, null, T0);

        Optional<Task> corrected = store.transition(
                "task-1", 1, Set.of(TaskState.SUCCEEDED), TaskState.FAILED, "correction", null, null, T0);

        assertThat(corrected).map(Task::state).contains(TaskState.FAILED);
    }

    @Test
    void movingBackToTheQueueReleasesTheOwner() {
        launched("task-1", "a");

        Task t = store.transition(
                        "task-1",
                        1,
                        Set.of(TaskState.LAUNCHING),
                        TaskState.UP_FOR_RETRY,
                        "retry",
                        null,
                        T0.plusSeconds(10),
                        T0)
                .orElseThrow();

        assertThat(t.owner()).isNull();
        assertThat(t.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(store.active("a")).isEmpty();
    }

    @Test
    void transitionsAreTheHistoryInOrderWithTriesAndReasons() {
        launched("task-1", "a");
        store.transition("task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.PENDING, "pod created", null, null, T0);
        store.transition(
                "task-1",
                1,
                Set.of(TaskState.PENDING),
                TaskState.UP_FOR_RETRY,
                "ImagePullBackOff",
                null,
                T0.plusSeconds(1),
                T0.plusSeconds(1));
        store.claim("a", 1, T0.plusSeconds(1));
        store.transition(
                "task-1",
                2,
                Set.of(TaskState.LAUNCHING),
                TaskState.RUNNING,
                "container started",
                null,
                null,
                T0.plusSeconds(2));
        store.transition(
                "task-1", 2, Set.of(TaskState.RUNNING), TaskState.SUCCEEDED, "exit 0", null, null, T0.plusSeconds(3));

        assertThat(store.transitions("task-1"))
                .containsExactly(
                        new Transition("task-1", 1, null, TaskState.QUEUED, T0, "submitted"),
                        new Transition("task-1", 1, TaskState.QUEUED, TaskState.LAUNCHING, T0, "claimed by a"),
                        new Transition("task-1", 1, TaskState.LAUNCHING, TaskState.PENDING, T0, "pod created"),
                        new Transition(
                                "task-1",
                                1,
                                TaskState.PENDING,
                                TaskState.UP_FOR_RETRY,
                                T0.plusSeconds(1),
                                "ImagePullBackOff"),
                        new Transition(
                                "task-1",
                                2,
                                TaskState.UP_FOR_RETRY,
                                TaskState.LAUNCHING,
                                T0.plusSeconds(1),
                                "claimed by a"),
                        new Transition(
                                "task-1",
                                2,
                                TaskState.LAUNCHING,
                                TaskState.RUNNING,
                                T0.plusSeconds(2),
                                "container started"),
                        new Transition(
                                "task-1", 2, TaskState.RUNNING, TaskState.SUCCEEDED, T0.plusSeconds(3), "exit 0"));
    }

    @Test
    void ofRacingTransitionsOfOneTaskExactlyOneWins() throws Exception {
        int tasks = 10;
        int racers = 4;
        for (int i = 0; i < tasks; i++) {
            submit("task-" + i, T0);
        }
        store.claim("a", tasks, T0);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int i = 0; i < tasks; i++) {
                String id = "task-" + i;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Optional<Task>>> results = new ArrayList<>();
                for (int r = 0; r < racers; r++) {
                    TaskState to = r % 2 == 0 ? TaskState.FAILED : TaskState.CANCELLED;
                    String reason = "racer " + r;
                    results.add(pool.submit(() -> {
                        go.await();
                        return store.transition(id, 1, NOT_TERMINAL, to, reason, null, null, T0);
                    }));
                }
                go.countDown();
                List<Task> winners = new ArrayList<>();
                for (Future<Optional<Task>> f : results) {
                    f.get(30, TimeUnit.SECONDS).ifPresent(winners::add);
                }
                assertThat(winners).as(id).hasSize(1);
                assertThat(store.get(id)).contains(winners.get(0));
                assertThat(store.transitions(id)).hasSize(3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- the infrastructure budget (V6)

    @Test
    void aTryTheClusterEndedIsCountedOnTheTaskAndTheNextTryIsClaimedWithTheCount() {
        launched("task-1", "o");
        Set<TaskState> inFlight = EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);

        Optional<Task> retried = store.transitionAll(List.of(new TransitionRequest(
                        "task-1", 1, inFlight, TaskState.UP_FOR_RETRY, "evicted", null, T0, T0, "o", true)))
                .getFirst();

        assertThat(retried).map(Task::infraFailures).contains(1);
        assertThat(store.get("task-1").orElseThrow().infraFailures()).isEqualTo(1);
        Task second = store.claim("o", 1, T0).getFirst();
        assertThat(second.tryNumber()).isEqualTo(2);
        assertThat(second.infraFailures()).isEqualTo(1);
        assertThat(store.active("o")).extracting(Task::infraFailures).containsExactly(1);

        store.transition("task-1", 2, inFlight, TaskState.FAILED, "exit 1", null, null, T0);

        assertThat(store.get("task-1").orElseThrow().infraFailures())
                .as("a failure of the work counts nothing")
                .isEqualTo(1);
    }

    @Test
    void aNewTaskHasUsedNoInfrastructureRetryAndASpecStoredBeforeTheBudgetHasTheDefault() {
        assertThat(submit("task-1", T0).infraFailures()).isZero();
        assertThat(store.get("task-1").orElseThrow().infraFailures()).isZero();

        TaskSpec old = TaskJson.spec("{\"name\":\"old\",\"image\":\"busybox\",\"retries\":1}");

        assertThat(old.infraRetries()).isEqualTo(TaskSpec.DEFAULT_INFRA_RETRIES);
    }

    // --- several transitions in one commit

    @Test
    void transitionAllAppliesItsChangesInOrderEachWithItsOwnCompare() {
        launched("task-1", "a");
        launched("task-2", "a");
        Instant t1 = T0.plusSeconds(1);

        List<Optional<Task>> results = store.transitionAll(List.of(
                new TransitionRequest(
                        "task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.PENDING, "pending", null, null, t1),
                new TransitionRequest(
                        "task-1", 1, Set.of(TaskState.PENDING), TaskState.RUNNING, "running", null, null, t1),
                new TransitionRequest(
                        "task-2", 1, Set.of(TaskState.RUNNING), TaskState.SUCCEEDED, "wrong from", null, null, t1),
                new TransitionRequest(
                        "task-2",
                        1,
                        Set.of(TaskState.LAUNCHING),
                        TaskState.FAILED,
                        "exit 1",
                        FailureDetails.of("Error", "exit 1"),
                        null,
                        t1)));

        assertThat(results)
                .extracting(r -> r.map(Task::state).orElse(null))
                .containsExactly(TaskState.PENDING, TaskState.RUNNING, null, TaskState.FAILED);
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.RUNNING);
        assertThat(store.transitions("task-1"))
                .extracting(Transition::to)
                .containsExactly(TaskState.QUEUED, TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);
        Task failed = store.get("task-2").orElseThrow();
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.failure().reason()).isEqualTo("Error");
        assertThat(store.transitions("task-2")).extracting(Transition::reason).doesNotContain("wrong from");
    }

    @Test
    void transitionAllOfNothingChangesNothing() {
        launched("task-1", "a");

        assertThat(store.transitionAll(List.of())).isEmpty();
        assertThat(store.get("task-1").orElseThrow().state()).isEqualTo(TaskState.LAUNCHING);
    }

    // --- pod name, cancel, queries

    @Test
    void aClaimRecordsThePodNameOfItsTry() {
        Task first = launched("task-1", "a");
        assertThat(submit("task-2", T0.plusSeconds(10)).podName()).as("queued").isNull();
        store.transition(
                        "task-1",
                        1,
                        Set.of(TaskState.LAUNCHING),
                        TaskState.UP_FOR_RETRY,
                        "pod failed",
                        null,
                        T0,
                        T0.plusSeconds(1))
                .orElseThrow();
        Task second = store.claim("b", 1, T0.plusSeconds(2)).get(0);

        assertThat(first.podName()).isEqualTo(TaskIds.podName(first.spec().name(), "task-1", 1));
        assertThat(second.podName()).isEqualTo(TaskIds.podName(first.spec().name(), "task-1", 2));
        assertThat(store.get("task-1").orElseThrow().podName()).isEqualTo(second.podName());
    }

    @Test
    void requestCancelMarksALiveTask() {
        launched("task-1", "a");

        assertThat(store.requestCancel("task-1", T0.plusSeconds(1))).isTrue();
        assertThat(store.requestCancel("task-1", T0.plusSeconds(2))).as("again").isTrue();

        Task t = store.get("task-1").orElseThrow();
        assertThat(t.cancelRequested()).isTrue();
        assertThat(t.state()).as("the state is the scheduler's to change").isEqualTo(TaskState.LAUNCHING);
    }

    @Test
    void requestCancelOfAnUnknownTaskIsFalse() {
        assertThat(store.requestCancel("nope", T0)).isFalse();
    }

    @Test
    void cancelRequestedListsUnfinishedTasksWithARequest() {
        launched("task-3", "a");
        submit("task-1", T0);
        submit("task-2", T0.plusSeconds(1));
        store.requestCancel("task-1", T0);
        store.requestCancel("task-3", T0);
        store.transition("task-3", 1, NOT_TERMINAL, TaskState.CANCELLED, "cancelled", null, null, T0);
        store.requestCancel("task-2", T0);

        assertThat(ids(store.cancelRequested())).containsExactly("task-1", "task-2");
    }

    @Test
    void activeListsTheOwnersLaunchingPendingAndRunningTasks() {
        launched("launching", "a");
        launched("pending", "a");
        launched("running", "a");
        launched("finished", "a");
        launched("other-owner", "b");
        submit("queued", T0);
        store.transition("pending", 1, Set.of(TaskState.LAUNCHING), TaskState.PENDING, "p", null, null, T0);
        store.transition("running", 1, Set.of(TaskState.LAUNCHING), TaskState.RUNNING, "r", null, null, T0);
        store.transition("finished", 1, Set.of(TaskState.LAUNCHING), TaskState.SUCCEEDED, "s", null, null, T0);

        assertThat(ids(store.active("a"))).containsExactlyInAnyOrder("launching", "pending", "running");
        assertThat(ids(store.active("b"))).containsExactly("other-owner");
        assertThat(store.active("nobody")).isEmpty();
    }

    @Test
    void countByStateCountsEveryStateZerosIncluded() {
        launched("task-1", "a");
        submit("task-2", T0);
        submit("task-3", T0);

        Map<TaskState, Long> counts = store.countByState();

        assertThat(counts).containsOnlyKeys(TaskState.values());
        assertThat(counts.get(TaskState.QUEUED)).isEqualTo(2);
        assertThat(counts.get(TaskState.LAUNCHING)).isEqualTo(1);
        assertThat(counts.get(TaskState.FAILED)).isZero();
    }

    @Test
    void countByStateOfAnEmptyStoreIsAllZeros() {
        assertThat(store.countByState().values())
                .hasSize(TaskState.values().length)
                .containsOnly(0L);
    }

    // --- schema

    @Test
    void openingAnUpToDateDatabaseAgainKeepsItsTasksAndAppliesNoMigration() {
        submit("task-1", T0);

        try (TaskStore again = openSecondStore()) {
            assertThat(again.get("task-1")).isPresent();
        }

        assertThat(appliedMigrations()).containsExactlyElementsOf(StoreDatabase.migrationVersions());
        assertThat(store.get("task-1")).isPresent();
    }

    // --- concurrency

    @Test
    void concurrentClaimersOnTwoStoresNeverClaimTheSameTask() throws Exception {
        int tasks = 200;
        int batch = 7;
        for (int i = 0; i < tasks; i++) {
            submit("task-%03d".formatted(i), T0.plusMillis(i));
        }
        Map<String, String> claimedBy = new ConcurrentHashMap<>();
        List<String> doubleClaims = Collections.synchronizedList(new ArrayList<>());
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        try (TaskStore second = openSecondStore()) {
            List<TaskStore> stores = List.of(store, second);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> claimers = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    String owner = "claimer-" + c;
                    TaskStore s = stores.get(c % 2);
                    claimers.add(pool.submit(() -> {
                        go.await();
                        for (List<Task> got = s.claim(owner, batch, T0.plusSeconds(1));
                                !got.isEmpty();
                                got = s.claim(owner, batch, T0.plusSeconds(1))) {
                            batchSizes.add(got.size());
                            for (Task t : got) {
                                if (claimedBy.putIfAbsent(t.id(), owner) != null) {
                                    doubleClaims.add(t.id());
                                }
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : claimers) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        assertThat(doubleClaims).isEmpty();
        assertThat(claimedBy).hasSize(tasks);
        assertThat(batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, batch));
        assertThat(store.countByState().get(TaskState.LAUNCHING)).isEqualTo(tasks);
        for (Task t : store.list(Set.of(), tasks)) {
            assertThat(t.owner()).as(t.id()).isEqualTo(claimedBy.get(t.id()));
            assertThat(store.transitions(t.id())).as(t.id()).hasSize(2);
        }
    }

    // --- replicas

    static final Duration ALIVE = Duration.ofSeconds(30);

    @Test
    void aRegisteredReplicaIsAliveByTheStoresClockAndCountsItsTasksInFlight() {
        store.registerReplica("r1", "host-a", "0.1", ALIVE);
        launched("task-1", "r1");

        assertThat(store.heartbeat("r1")).isTrue();
        List<dev.drover.core.Replica> all = store.replicas(ALIVE);
        assertThat(all).hasSize(1);
        dev.drover.core.Replica r = all.getFirst();
        assertThat(r.id()).isEqualTo("r1");
        assertThat(r.host()).isEqualTo("host-a");
        assertThat(r.state()).isEqualTo(dev.drover.core.ReplicaState.RUNNING);
        assertThat(r.alive()).isTrue();
        assertThat(r.inFlight()).isEqualTo(1);
        assertThat(r.heartbeatAge()).isLessThan(ALIVE);
    }

    @Test
    void theIdOfAnAliveReplicaIsRefusedToASecondProcess() {
        store.registerReplica("r1", "host-a", "0.1", ALIVE);

        try (TaskStore second = openSecondStore()) {
            assertThatThrownBy(() -> second.registerReplica("r1", "host-b", "0.1", ALIVE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(
                            "schedulerId 'r1' is in use by a live replica on host host-a (last heartbeat");
        }
    }

    @Test
    void aReplicaWithAnOldHeartbeatIsNotAliveCanBeDeclaredDeadAndThenNeverHeartbeatsOn() throws Exception {
        store.registerReplica("r1", "host-a", "0.1", ALIVE);
        Duration tiny = Duration.ofMillis(20);
        // the database's clock moves on: soon the heartbeat is older than the tiny threshold
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !store.replicas(tiny).getFirst().alive());
        assertThat(store.replicas(ALIVE).getFirst().alive()).isTrue();
        assertThat(store.declareDead("r1", ALIVE))
                .as("alive by the real threshold")
                .isFalse();
        assertThat(store.declareDead("r1", tiny)).isTrue();
        assertThat(store.heartbeat("r1")).as("declared dead: fenced").isFalse();
        assertThat(store.replicas(ALIVE).getFirst().state()).isEqualTo(dev.drover.core.ReplicaState.STOPPED);
        assertThat(store.registerReplica("r1", "host-a", "0.1", ALIVE).alive())
                .as("a new run may take the id")
                .isTrue();
    }

    @Test
    void aTakeOverMovesOnlyTheDeadReplicasTasksInFlightKeepingTheirStateAndTry() {
        Task mine = launched("task-1", "dead");
        submit("task-2", T0.plusSeconds(1)); // queued: nobody's
        store.transition(mine.id(), 1, Set.of(TaskState.LAUNCHING), TaskState.RUNNING, "running", null, null, T0);

        List<Task> moved = store.takeOver("dead", "heir", 10, T0.plusSeconds(2));

        assertThat(moved).extracting(Task::id).containsExactly("task-1");
        Task t = store.get("task-1").orElseThrow();
        assertThat(t.owner()).isEqualTo("heir");
        assertThat(t.state()).isEqualTo(TaskState.RUNNING);
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(store.transitions("task-1").getLast().reason()).isEqualTo("taken over by heir from dead");
        assertThat(store.get("task-2").orElseThrow().owner()).isNull();
        assertThat(store.takeOver("dead", "heir", 10, T0)).isEmpty();
    }

    @Test
    void heirsRacingForADeadReplicasTasksGetEachTaskExactlyOnce() throws Exception {
        for (int i = 0; i < 40; i++) {
            submit("task-" + i, T0);
        }
        assertThat(store.claim("dead", 40, T0)).hasSize(40);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TaskStore second = openSecondStore()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Task>>> heirs = new ArrayList<>();
            for (int h = 0; h < 4; h++) {
                TaskStore s = h % 2 == 0 ? store : second;
                String heir = "heir-" + h;
                heirs.add(pool.submit(() -> {
                    go.await();
                    List<Task> all = new ArrayList<>();
                    List<Task> got;
                    while (!(got = s.takeOver("dead", heir, 7, T0)).isEmpty()) {
                        all.addAll(got);
                    }
                    return all;
                }));
            }
            go.countDown();
            Map<String, String> ownerById = new ConcurrentHashMap<>();
            for (int h = 0; h < heirs.size(); h++) {
                for (Task t : heirs.get(h).get(60, TimeUnit.SECONDS)) {
                    assertThat(ownerById.put(t.id(), "heir-" + h))
                            .as(t.id() + " moved twice")
                            .isNull();
                }
            }
            assertThat(ownerById).hasSize(40);
            ownerById.forEach((id, heir) ->
                    assertThat(store.get(id).orElseThrow().owner()).isEqualTo(heir));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aChangeExpectingItsOwnerFailsOnceTheTaskWasTakenOver() {
        Task t = launched("task-1", "dead");
        store.takeOver("dead", "heir", 10, T0);

        TransitionRequest fromTheDead = new TransitionRequest(
                t.id(), 1, Set.of(TaskState.LAUNCHING), TaskState.FAILED, "late news", null, null, T0, "dead", false);
        TransitionRequest fromTheHeir = new TransitionRequest(
                t.id(),
                1,
                Set.of(TaskState.LAUNCHING),
                TaskState.PENDING,
                "pod pending",
                null,
                null,
                T0,
                "heir",
                false);

        assertThat(store.transitionAll(List.of(fromTheDead)).getFirst()).isEmpty();
        assertThat(store.transitionAll(List.of(fromTheHeir)).getFirst())
                .hasValueSatisfying(moved -> assertThat(moved.state()).isEqualTo(TaskState.PENDING));
    }
}
