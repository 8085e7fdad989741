package dev.drover.core;

import static dev.drover.core.EngineHarness.NS;
import static dev.drover.core.EngineHarness.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.kube.PodView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's pieces together, on a fake cluster: no apiserver, each test in well under a
 * second. The same behaviours on the real apiserver: ExecutorTest, ExecutorRecoveryTest,
 * ExecutorDefectsTest.
 */
class TaskEngineTest {
    private final EngineHarness h = new EngineHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static ConditionFactory soon() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
    }

    private void awaitState(Task t, TaskState s) {
        soon().until(() -> h.state(t.id()) == s);
    }

    /** Waits until try {@code tryNumber} of {@code t} has its pod, Pending. */
    private void awaitPendingTry(Task t, int tryNumber) {
        soon().until(() -> h.stored(t.id()).tryNumber() == tryNumber && h.state(t.id()) == TaskState.PENDING);
    }

    @Test
    void aTaskGoesFromQueuedThroughEveryStateToSucceededAndItsPodIsDeleted() {
        h.start();
        Task t = h.submit(task("hello"));
        awaitState(t, TaskState.PENDING);

        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);
        h.cluster.succeeded(NS, h.podOf(t));
        awaitState(t, TaskState.SUCCEEDED);

        assertThat(h.states(t.id()))
                .containsExactly(
                        TaskState.QUEUED,
                        TaskState.LAUNCHING,
                        TaskState.PENDING,
                        TaskState.RUNNING,
                        TaskState.SUCCEEDED);
        soon().until(() -> h.cluster.calls.contains("delete " + NS + "/" + h.podOf(t)));
    }

    @Test
    void aFailedContainerFailsTheTaskWithItsExitCodeEventsAndLogTailAndKeepsThePod() {
        h.start();
        Task t = h.submit(task("crunch"));
        awaitState(t, TaskState.PENDING);
        h.cluster.watches().events.put("uid-" + h.podOf(t), List.of("Normal Started: Started container main"));

        h.cluster.failed(NS, h.podOf(t), 3);
        awaitState(t, TaskState.FAILED);

        FailureDetails d = h.stored(t.id()).failure();
        assertThat(d.exitCode()).isEqualTo(3);
        assertThat(d.container()).isEqualTo("main");
        assertThat(d.logTail()).containsExactly("last words");
        assertThat(d.events()).containsExactly("Normal Started: Started container main");
        soon().until(() -> h.cluster.calls.contains("done " + NS + "/" + h.podOf(t)));
    }

    @Test
    void aSlowLogReadHoldsBackOnlyItsOwnTaskNotThePodNewsOfOthers() {
        h.start();
        CountDownLatch gate = new CountDownLatch(1);
        h.cluster.logGate = gate;
        Task slow = h.submit(task("slow"));
        Task quick = h.submit(task("quick"));
        awaitState(slow, TaskState.PENDING);
        awaitState(quick, TaskState.PENDING);

        h.cluster.failed(NS, h.podOf(slow), 1);
        soon().until(() -> h.cluster.calls.contains("log " + NS + "/" + h.podOf(slow)));
        h.cluster.succeeded(NS, h.podOf(quick));

        awaitState(quick, TaskState.SUCCEEDED);
        assertThat(h.state(slow.id())).as("its log is still being read").isEqualTo(TaskState.PENDING);
        gate.countDown();
        awaitState(slow, TaskState.FAILED);
    }

    /** A log keeper that reads through the fake cluster's pod reads and keeps the lines in memory. */
    private final class KeptLogs implements LogKeeper {
        final java.util.Map<String, List<String>> kept = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void keep(String taskId, int tryNumber, String namespace, String pod, String container) {
            h.cluster.copyLog(
                    namespace,
                    pod,
                    container,
                    in -> kept.put(
                            taskId + "/" + tryNumber + "/" + container,
                            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                                    .lines()
                                    .toList()));
        }

        @Override
        public List<String> tail(String taskId, int tryNumber, String container, int lines) {
            List<String> all = kept.getOrDefault(taskId + "/" + tryNumber + "/" + container, List.of());
            return all.subList(Math.max(0, all.size() - lines), all.size());
        }
    }

    @Test
    void aSucceededTrysLogsAreKeptBeforeItsSuccessIsRecordedAndItsPodLetGo() {
        KeptLogs logs = new KeptLogs();
        h.logs = logs;
        CountDownLatch gate = new CountDownLatch(1);
        h.cluster.logGate = gate;
        h.start();
        Task t = h.submit(task("hello"));
        awaitState(t, TaskState.PENDING);
        h.cluster.logLines = List.of("hello", "world");

        h.cluster.succeeded(NS, h.podOf(t));
        soon().until(() -> h.cluster.calls.contains("log " + NS + "/" + h.podOf(t) + " main"));
        assertThat(h.state(t.id())).as("recorded only once its log is kept").isEqualTo(TaskState.PENDING);
        assertThat(h.cluster.calls)
                .as("the pod is not let go before")
                .doesNotContain("delete " + NS + "/" + h.podOf(t));

        gate.countDown();
        awaitState(t, TaskState.SUCCEEDED);
        assertThat(logs.kept).containsEntry(t.id() + "/1/main", List.of("hello", "world"));
        soon().until(() -> h.cluster.calls.contains("delete " + NS + "/" + h.podOf(t)));
    }

    @Test
    void aFailedTrysLogTailIsReadFromTheKeptLog() {
        KeptLogs logs = new KeptLogs();
        h.logs = logs;
        h.start();
        Task t = h.submit(task("crunch"));
        awaitState(t, TaskState.PENDING);
        h.cluster.logLines = List.of("one", "two", "three");

        h.cluster.failed(NS, h.podOf(t), 3);
        awaitState(t, TaskState.FAILED);

        assertThat(h.stored(t.id()).failure().logTail()).containsExactly("one", "two", "three");
        assertThat(h.cluster.calls)
                .as("one read of the log: kept, and the tail taken from what was kept")
                .containsOnlyOnce("log " + NS + "/" + h.podOf(t) + " main")
                .doesNotContain("log " + NS + "/" + h.podOf(t));
    }

    @Test
    void aTryThatNeverStartedAContainerIsRecordedWithoutALogRead() {
        h.logs = new KeptLogs();
        h.start();
        Task t = h.submit(task("nope").retries(0, Duration.ofSeconds(1)));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "InvalidImageName", "bad name");
        awaitState(t, TaskState.FAILED);
        assertThat(h.cluster.calls).noneMatch(c -> c.startsWith("log "));
    }

    @Test
    void aPodInTheWatchWhoseTaskTheStoreDoesNotKnowHasItsFinalizerDropped() {
        h.start();
        Task t = h.submit(task("known"));
        awaitState(t, TaskState.PENDING);
        PodView stranger = new PodView(
                        NS,
                        "stranger-1",
                        "uid-stranger",
                        "1",
                        java.util.Map.of(
                                PodLabels.OWNER, EngineHarness.OWNER, PodLabels.TASK_ID, "unknown", PodLabels.TRY, "1"),
                        false,
                        "node-1",
                        "Running",
                        null,
                        null,
                        List.of(),
                        List.of())
                .withDeletion(List.of(PodLabels.FINALIZER), false, false);

        h.cluster.put(stranger);
        soon().until(() -> h.cluster.calls.contains("release " + NS + "/stranger-1"));
        assertThat(h.state(t.id())).isEqualTo(TaskState.PENDING);
    }

    @Test
    void aFailedTryIsRetriedAfterABackoffThatDoublesPerTry() {
        h.start();
        Task t = h.submit(task("flaky").retries(2, Duration.ofSeconds(10)));
        for (int tryNumber = 1; tryNumber <= 2; tryNumber++) {
            awaitPendingTry(t, tryNumber);
            java.time.Instant failedAt = h.clock.instant();
            h.cluster.failed(NS, h.podOf(t), 1);
            awaitState(t, TaskState.UP_FOR_RETRY);

            Duration backoff = Duration.ofSeconds(10L << (tryNumber - 1));
            assertThat(h.stored(t.id()).nextAttemptAt()).isEqualTo(failedAt.plus(backoff));
            h.clock.advance(backoff.minusMillis(1));
            h.engine().nudge();
            assertThat(h.state(t.id())).as("not due yet").isEqualTo(TaskState.UP_FOR_RETRY);
            h.clock.advance(Duration.ofMillis(1));
        }
        awaitPendingTry(t, 3);
        h.cluster.failed(NS, h.podOf(t), 1);
        awaitState(t, TaskState.FAILED);
    }

    @Test
    void theStartupTimeoutCountsFromWhenThePodWasSeenNotFromTheSubmit() {
        h.cluster.onLaunch = t -> new LaunchResult.Requeue(Duration.ofMinutes(10), "busy");
        h.start();
        Task t = h.submit(task("late").startupTimeout(Duration.ofSeconds(60)));
        awaitState(t, TaskState.QUEUED);
        soon().until(() -> h.stored(t.id()).reason().startsWith("launch deferred"));
        h.clock.advance(Duration.ofMinutes(10)); // far past the startup timeout since the submit
        h.cluster.onLaunch = h.cluster::create;
        h.engine().nudge();
        awaitState(t, TaskState.PENDING);

        h.clock.advance(Duration.ofSeconds(59));
        sweepsRan();
        assertThat(h.state(t.id())).isEqualTo(TaskState.PENDING);
        h.clock.advance(Duration.ofSeconds(2));
        awaitState(t, TaskState.FAILED);
        assertThat(h.stored(t.id()).failure().reason()).isEqualTo("StartupTimeout");
        soon().until(() -> h.cluster.calls.contains("delete " + NS + "/" + h.podOf(t)));
    }

    @Test
    void aRunTimeoutFailsATaskThatRanTooLong() {
        h.start();
        Task t = h.submit(task("runaway").runTimeout(Duration.ofSeconds(30)));
        awaitState(t, TaskState.PENDING);
        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);

        h.clock.advance(Duration.ofSeconds(31));
        awaitState(t, TaskState.FAILED);
        assertThat(h.stored(t.id()).failure().reason()).isEqualTo("RunTimeout");
    }

    @Test
    void aLaunchWaitsForItsNamespaceToBeListedAndGoesBackToTheQueueWhenItCannotBe() {
        h.cluster.unlistable.add("locked");
        h.start();
        Task locked = h.submit(task("locked").namespace("locked"));
        Task open = h.submit(task("open"));

        awaitState(open, TaskState.PENDING);
        assertThat(h.cluster.calls).noneMatch(c -> c.startsWith("create locked/"));
        h.clock.advance(Duration.ofSeconds(6)); // past the namespace wait
        soon().until(() -> h.state(locked.id()) == TaskState.QUEUED
                && h.stored(locked.id()).reason().contains("403"));
        assertThat(h.stored(locked.id()).reason()).contains("pods in locked not listed yet");
        assertThat(h.engine().namespaces())
                .contains(new NamespaceStatus("locked", false, "403 Forbidden: pods is forbidden"));
    }

    @Test
    void afterARestartTasksOfANamespaceThatCannotBeListedWaitAndTheOthersResume() {
        h.start();
        Task locked = h.submit(task("locked").namespace("locked"));
        Task open = h.submit(task("open"));
        awaitState(locked, TaskState.PENDING);
        awaitState(open, TaskState.PENDING);

        h.cluster.unlistable.add("locked");
        h.restart();
        h.cluster.succeeded(NS, h.podOf(open));

        awaitState(open, TaskState.SUCCEEDED);
        sweepsRan();
        assertThat(h.state(locked.id())).as("waits, never PodVanished").isEqualTo(TaskState.PENDING);
        assertThat(h.engine().inFlight()).isEqualTo(1);
        h.cluster.unlistable.remove("locked");
        h.cluster.succeeded("locked", h.podOf(locked));
        h.cluster.watches().listIfAllowed("locked");
        awaitState(locked, TaskState.SUCCEEDED);
    }

    @Test
    void afterARestartAPodThatFinishedMeanwhileGivesItsResultAndAVanishedOneFailsTheTry() {
        h.start();
        Task finished = h.submit(task("finished"));
        Task vanished = h.submit(task("vanished").retries(1, Duration.ofSeconds(1)));
        awaitState(finished, TaskState.PENDING);
        awaitState(vanished, TaskState.PENDING);

        h.engine().close();
        h.cluster.succeeded(NS, h.podOf(finished));
        h.cluster.delete(NS, h.podOf(vanished));
        h.start();

        awaitState(finished, TaskState.SUCCEEDED);
        awaitState(vanished, TaskState.UP_FOR_RETRY);
        assertThat(h.stored(vanished.id()).failure().reason()).isEqualTo("PodVanished");
    }

    @Test
    void aPodRelabelledToAnotherOwnerIsLetGoAndTheStrayPickUpNeverFailsOrRunsItAgain() {
        h.start();
        Task t = h.submit(task("adopted").retries(3, Duration.ofSeconds(1)));
        awaitState(t, TaskState.PENDING);
        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);

        h.cluster.relabel(NS, h.podOf(t), PodLabels.OWNER, "sched-b");
        soon().until(() -> h.engine().inFlight() == 0);
        h.clock.advance(Duration.ofMinutes(10));
        sweepsRan();
        reconciled();
        reconciled();

        assertThat(h.state(t.id())).isEqualTo(TaskState.RUNNING);
        assertThat(h.states(t.id())).doesNotContain(TaskState.UP_FOR_RETRY, TaskState.FAILED);
        assertThat(h.cluster.calls).filteredOn(c -> c.startsWith("create")).hasSize(1);
        assertThat(h.cluster.calls).noneMatch(c -> c.startsWith("done") || c.startsWith("delete"));
    }

    @Test
    void aCancelOfARunningTaskRevokesItsPodAndCancelsIt() {
        h.start();
        Task t = h.submit(task("long"));
        awaitState(t, TaskState.PENDING);
        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);

        h.store.requestCancel(t.id(), h.clock.instant());
        awaitState(t, TaskState.CANCELLED);
        soon().until(() -> h.cluster.calls.contains("revoke " + NS + "/" + h.podOf(t)));
        assertThat(h.cluster.pod(NS, h.podOf(t))).isEmpty();
    }

    @Test
    void aPodThatSucceededWhileTheSchedulerWasDownWinsOverACancelAskedMeanwhile() {
        h.start();
        Task t = h.submit(task("done-while-down"));
        awaitState(t, TaskState.PENDING);
        h.engine().close();
        h.cluster.succeeded(NS, h.podOf(t));
        h.store.requestCancel(t.id(), h.clock.instant());
        h.cluster.unlistable.add(NS); // the list comes late: the cancel sweep runs before it

        h.start();
        sweepsRan();
        h.cluster.unlistable.remove(NS);
        h.cluster.watches().listIfAllowed(NS);

        awaitState(t, TaskState.SUCCEEDED);
        assertThat(h.states(t.id())).doesNotContain(TaskState.CANCELLED);
    }

    @Test
    void aQueuedTaskCancelsWithoutEverLaunching() {
        Task t = h.submit(task("never"));
        h.store.requestCancel(t.id(), h.clock.instant());
        h.start();

        awaitState(t, TaskState.CANCELLED);
        assertThat(h.states(t.id())).containsExactly(TaskState.QUEUED, TaskState.CANCELLED);
        assertThat(h.cluster.calls).isEmpty();
    }

    @Test
    void aSchedulerGivenItsOwnTasksNeverClaimsFromTheSharedQueue() {
        Task other = h.submit(task("someone-elses"));
        Task mine = h.submit(task("mine"));
        h.start(() -> h.state(mine.id()).isTerminal() ? List.of() : List.of(mine.id()), 10);

        awaitState(mine, TaskState.PENDING);
        sweepsRan();
        assertThat(h.state(other.id())).isEqualTo(TaskState.QUEUED);
    }

    @Test
    void aRefusedLaunchFailsTheTaskAndADeferredOneGoesBackToTheQueue() {
        h.cluster.onLaunch = t -> t.spec().name().equals("refused")
                ? new LaunchResult.Rejected(FailureDetails.of("Invalid", "spec.containers[0].ports: bad"))
                : new LaunchResult.Requeue(Duration.ofSeconds(30), "429 Too Many Requests");
        h.start();
        Task refused = h.submit(task("refused"));
        Task deferred = h.submit(task("deferred"));

        awaitState(refused, TaskState.FAILED);
        assertThat(h.stored(refused.id()).failure().reason()).isEqualTo("Invalid");
        soon().until(() -> h.stored(deferred.id()).reason().equals("launch deferred: 429 Too Many Requests"));
        assertThat(h.stored(deferred.id()).nextAttemptAt())
                .isAfterOrEqualTo(h.clock.instant().plusSeconds(30));
    }

    @Test
    void theParallelismBoundsTheTasksInFlight() {
        h.start(null, 2);
        List<Task> tasks = List.of(h.submit(task("a")), h.submit(task("b")), h.submit(task("c")));

        soon().until(() -> h.engine().inFlight() == 2);
        sweepsRan();
        assertThat(tasks.stream().filter(t -> h.state(t.id()) == TaskState.QUEUED))
                .hasSize(1);
        Task running = tasks.stream()
                .filter(t -> h.state(t.id()) == TaskState.PENDING)
                .findFirst()
                .orElseThrow();
        h.cluster.succeeded(NS, h.podOf(running));
        soon().until(() -> tasks.stream().noneMatch(t -> h.state(t.id()) == TaskState.QUEUED));
    }

    @Test
    void aStrayTheStoreHoldsForThisSchedulerIsPickedUpWhileItRuns() {
        h.start();
        Task stray = h.store.insert(
                TaskIds.next(), task("stray").build(), h.clock.instant().plus(Duration.ofHours(1)));
        h.store.claim(EngineHarness.OWNER, 1, h.clock.instant().plus(Duration.ofHours(1)));

        soon().until(() -> h.cluster.calls.stream().anyMatch(c -> c.contains(stray.id())));
        awaitState(stray, TaskState.PENDING);
    }

    // --- pending rules

    /** Waits until the worker has seen the pod match {@code rule} (its grace counts from then). */
    private void awaitMatched(Task t, String rule) {
        soon().until(() -> {
            PendingRule r = h.engine().pendingRule(t.id());
            return r != null && r.name().equals(rule);
        });
    }

    @Test
    void aMissingImageFailsTheTryOnlyOnceItsRulesGraceIsOverAndTheBackOffDoesNotRestartIt() {
        h.start();
        Task t = h.submit(task("nopull"));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "ErrImagePull", "failed to resolve reference: not found");
        awaitMatched(t, "image-pull-failed");
        h.clock.advance(Duration.ofSeconds(20));
        h.cluster.waiting(NS, h.podOf(t), "ImagePullBackOff", "Back-off pulling image \"registry.example/app:1\"");
        sweepsRan();
        h.clock.advance(Duration.ofSeconds(9));
        sweepsRan();
        assertThat(h.state(t.id())).as("29 s of a 30 s grace").isEqualTo(TaskState.PENDING);

        h.clock.advance(Duration.ofSeconds(2));
        awaitState(t, TaskState.FAILED);
        FailureDetails d = h.stored(t.id()).failure();
        assertThat(d.reason()).isEqualTo("ErrImagePull");
        assertThat(d.container()).isEqualTo("main");
        assertThat(h.stored(t.id()).reason()).contains("pending rule image-pull-failed");
        soon().until(() -> h.cluster.calls.contains("done " + NS + "/" + h.podOf(t)));
    }

    @Test
    void aRuleThatFailsFailsTheTaskAtOnceWithoutUsingItsRetries() {
        h.start();
        Task t = h.submit(task("badref").retries(3, Duration.ofSeconds(1)));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "InvalidImageName", "couldn't parse image reference");
        awaitState(t, TaskState.FAILED);

        assertThat(h.states(t.id())).doesNotContain(TaskState.UP_FOR_RETRY);
        assertThat(h.stored(t.id()).reason()).contains("pending rule invalid-image-name");
    }

    @Test
    void aRuleThatRetriesEndsTheTryAndRetriesItAfterTheBackoff() {
        h.start();
        Task t = h.submit(task("nosecret").retries(1, Duration.ofSeconds(10)));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "CreateContainerConfigError", "secret \"db\" not found");
        awaitState(t, TaskState.UP_FOR_RETRY);

        assertThat(h.stored(t.id()).reason())
                .startsWith("try 1 failed")
                .contains("pending rule container-config-error");
        assertThat(h.stored(t.id()).nextAttemptAt()).isEqualTo(h.clock.instant().plusSeconds(10));
    }

    @Test
    void aThrottledRegistryKeepsThePodPendingUntilTheStartupTimeoutWhichIsATimeout() {
        h.start();
        Task t = h.submit(task("throttled").startupTimeout(Duration.ofSeconds(60)));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "ErrImagePull", "unexpected status: 429 Too Many Requests");
        awaitMatched(t, "registry-throttled");
        h.clock.advance(Duration.ofSeconds(30));
        h.cluster.waiting(NS, h.podOf(t), "ImagePullBackOff", "Back-off pulling image \"registry.example/app:1\"");
        sweepsRan();
        h.clock.advance(Duration.ofSeconds(29));
        sweepsRan();
        assertThat(h.state(t.id()))
                .as("the back-off of a throttled pull still waits")
                .isEqualTo(TaskState.PENDING);

        h.clock.advance(Duration.ofSeconds(2));
        awaitState(t, TaskState.FAILED);
        FailureDetails d = h.stored(t.id()).failure();
        assertThat(d.reason()).isEqualTo("StartupTimeout");
        assertThat(d.message()).contains("waiting: ImagePullBackOff");
    }

    @Test
    void rulesAreTheUsersToChange() {
        h.pendingRules = PendingRules.of(java.util.List.of(PendingRule.named("mirror-down")
                .reasons("ErrImagePull", "ImagePullBackOff")
                .message("mirror\\.internal")
                .grace(Duration.ofMinutes(5))
                .action(PendingRule.Action.FAIL)
                .build()));
        h.start();
        Task t = h.submit(task("mirrored"));
        awaitState(t, TaskState.PENDING);

        h.cluster.waiting(NS, h.podOf(t), "ErrImagePull", "dial tcp mirror.internal:443: connection refused");
        awaitMatched(t, "mirror-down");
        h.clock.advance(Duration.ofMinutes(4));
        sweepsRan();
        assertThat(h.state(t.id())).isEqualTo(TaskState.PENDING);
        h.clock.advance(Duration.ofMinutes(1));
        awaitState(t, TaskState.FAILED);
        assertThat(h.stored(t.id()).reason()).contains("pending rule mirror-down, waited 300 s");
    }

    @Test
    void anUnschedulablePodWaitsWithTheSchedulersMessageInTheTasksStatus() {
        h.start();
        Task t = h.submit(task("big").startupTimeout(Duration.ofMinutes(10)));
        awaitState(t, TaskState.PENDING);

        h.cluster.notScheduled(NS, h.podOf(t), "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.");
        soon().until(() -> h.stored(t.id())
                .reason()
                .equals("pod pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."));
        h.clock.advance(Duration.ofMinutes(9));
        sweepsRan();

        assertThat(h.state(t.id())).isEqualTo(TaskState.PENDING);
        h.cluster.waiting(NS, h.podOf(t), "ContainerCreating", null);
        soon().until(() -> h.stored(t.id()).reason().equals("pod pending: ContainerCreating"));
        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);
        assertThat(h.states(t.id()))
                .containsExactly(
                        TaskState.QUEUED,
                        TaskState.LAUNCHING,
                        TaskState.PENDING,
                        TaskState.PENDING,
                        TaskState.PENDING,
                        TaskState.RUNNING);
    }

    @Test
    void aTimeoutUnderCleanupNeverKeepsThePodLabelledDone() {
        h.start();
        Task t = h.submit(task("kept").startupTimeout(Duration.ofSeconds(10)).cleanup(CleanupPolicy.NEVER));
        awaitState(t, TaskState.PENDING);

        h.clock.advance(Duration.ofSeconds(11));
        awaitState(t, TaskState.FAILED);

        assertThat(h.stored(t.id()).failure().reason()).isEqualTo("StartupTimeout");
        soon().until(() -> h.cluster.calls.contains("done " + NS + "/" + h.podOf(t)));
        assertThat(h.cluster.calls).doesNotContain("delete " + NS + "/" + h.podOf(t));
        assertThat(h.cluster.pod(NS, h.podOf(t))).isPresent();
    }

    // --- a startup timeout decided on a fresh read

    @Test
    void aStartupTimeoutThatFindsThePodStartedKeepsItRunningAfterOneRead() {
        h.start();
        Task t = h.submit(task("lagging").startupTimeout(Duration.ofSeconds(60)));
        awaitState(t, TaskState.PENDING);

        h.cluster.startedUnseen(NS, h.podOf(t)); // the watch lags: only a GET sees it running
        h.clock.advance(Duration.ofSeconds(61));
        awaitState(t, TaskState.RUNNING);
        sweepsRan();

        assertThat(h.state(t.id())).isEqualTo(TaskState.RUNNING);
        assertThat(h.cluster.gets(NS, h.podOf(t)))
                .as("one GET for the decision")
                .isEqualTo(1);
        assertThat(h.states(t.id())).doesNotContain(TaskState.FAILED, TaskState.UP_FOR_RETRY);
        h.cluster.succeeded(NS, h.podOf(t));
        awaitState(t, TaskState.SUCCEEDED);
    }

    @Test
    void aStartupTimeoutUnderAThrottledPullIsATimeoutRetriedNeverALaunchFailure() {
        h.start();
        Task t = h.submit(
                task("throttled").startupTimeout(Duration.ofSeconds(60)).retries(1, Duration.ofSeconds(5)));
        awaitState(t, TaskState.PENDING);
        String pod = h.podOf(t);
        h.cluster.waiting(NS, pod, "ErrImagePull", "unexpected status: 429 Too Many Requests");
        awaitMatched(t, "registry-throttled");

        h.clock.advance(Duration.ofSeconds(61));
        awaitState(t, TaskState.UP_FOR_RETRY);

        FailureDetails d = h.stored(t.id()).failure();
        assertThat(d.reason()).isEqualTo("StartupTimeout");
        assertThat(d.message()).contains("waiting: ErrImagePull: unexpected status: 429 Too Many Requests");
        assertThat(h.stored(t.id()).reason()).startsWith("try 1 failed: StartupTimeout");
        assertThat(h.cluster.gets(NS, pod)).as("one GET for the decision").isEqualTo(1);
        h.clock.advance(Duration.ofSeconds(5));
        awaitPendingTry(t, 2);
    }

    // --- tries the cluster ended: the infrastructure budget

    @Test
    void anEvictedTryIsRetriedWithoutUsingARetryOfATaskThatHasNone() {
        h.start();
        Task t = h.submit(task("evicted").retries(0, Duration.ofSeconds(2)));
        awaitState(t, TaskState.PENDING);
        h.cluster.running(NS, h.podOf(t));
        awaitState(t, TaskState.RUNNING);

        h.cluster.evicted(NS, h.podOf(t));
        awaitState(t, TaskState.UP_FOR_RETRY);

        Task up = h.stored(t.id());
        assertThat(up.reason())
                .isEqualTo("try 1 ended by the node: Evicted (The node was low on resource: memory.); retried without"
                        + " using a retry (infrastructure budget 1 of 3 used); retrying in 2 s");
        assertThat(up.infraFailures()).isEqualTo(1);
        assertThat(up.failure().reason()).isEqualTo("Evicted");
        h.clock.advance(Duration.ofSeconds(2));
        awaitPendingTry(t, 2);
        h.cluster.succeeded(NS, h.podOf(t));
        awaitState(t, TaskState.SUCCEEDED);
        assertThat(h.stored(t.id()).infraFailures()).isEqualTo(1);
    }

    @Test
    void theUsersRetriesAreLeftWholeByATryTheClusterEnded() {
        h.start();
        Task t = h.submit(task("preempted").retries(1, Duration.ofSeconds(2)));
        awaitState(t, TaskState.PENDING);
        h.cluster.disrupted(NS, h.podOf(t), "PreemptionByScheduler", "preempting to accommodate a higher priority pod");
        awaitState(t, TaskState.UP_FOR_RETRY);
        assertThat(h.stored(t.id()).reason()).startsWith("try 1 ended by the cluster: PreemptionByScheduler");
        h.clock.advance(Duration.ofSeconds(2));
        awaitPendingTry(t, 2);

        h.cluster.failed(NS, h.podOf(t), 1);
        awaitState(t, TaskState.UP_FOR_RETRY);
        assertThat(h.stored(t.id()).reason()).startsWith("try 2 failed").endsWith("retrying in 2 s");
        h.clock.advance(Duration.ofSeconds(2));
        awaitPendingTry(t, 3);
        h.cluster.failed(NS, h.podOf(t), 1);

        awaitState(t, TaskState.FAILED);
        assertThat(h.stored(t.id()).infraFailures()).isEqualTo(1);
    }

    @Test
    void onceTheInfrastructureBudgetIsUsedUpATryTheClusterEndedIsAFailedTry() {
        h.start();
        Task t = h.submit(task("unlucky").retries(0, Duration.ofSeconds(1)).infraRetries(1));
        awaitState(t, TaskState.PENDING);
        h.cluster.evicted(NS, h.podOf(t));
        awaitState(t, TaskState.UP_FOR_RETRY);
        h.clock.advance(Duration.ofSeconds(1));
        awaitPendingTry(t, 2);

        h.cluster.evicted(NS, h.podOf(t));
        awaitState(t, TaskState.FAILED);

        Task failed = h.stored(t.id());
        assertThat(failed.reason())
                .isEqualTo("container main: Evicted (exit code 137): The node was low on resource: memory."
                        + " (infrastructure budget of 1 used up)");
        assertThat(failed.infraFailures()).isEqualTo(1);
    }

    /** Lets the scheduler loop run its sweeps a few times (its tick is 10 ms). */
    private void sweepsRan() {
        long until = System.nanoTime() + Duration.ofMillis(100).toNanos();
        soon().until(() -> System.nanoTime() > until);
    }

    /** Lets one reconcile interval (50 ms) pass. */
    private void reconciled() {
        long until = System.nanoTime() + Duration.ofMillis(120).toNanos();
        soon().until(() -> System.nanoTime() > until);
    }
}
