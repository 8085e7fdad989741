package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TransitionRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a task's state, by name. Changes are gathered in a {@link Batch} and committed in
 * one store transaction, each with its own compare-and-set on (state, try); listeners hear of a
 * change after the commit, then the change's follow-up (e.g. the pod's cleanup) runs. A change
 * whose compare fails (someone else moved the task first) is dropped with its follow-up.
 */
final class TaskMoves {
    private static final Logger log = LoggerFactory.getLogger(TaskMoves.class);
    static final Set<TaskState> IN_FLIGHT = EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);
    private static final Set<TaskState> WAITING = EnumSet.of(TaskState.QUEUED, TaskState.UP_FOR_RETRY);
    private static final Runnable NOTHING_MORE = () -> {};

    private final TaskStore store;
    private final Clock clock;
    private final Consumer<Task> listener;
    /** The scheduler moving its tasks: a change of a task in flight happens only while the store still says it is this one's. */
    private final String owner;

    private final EngineMetrics metrics;

    TaskMoves(TaskStore store, Clock clock, Consumer<Task> listener, String owner, EngineMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.listener = listener;
        this.owner = owner;
    }

    Batch batch() {
        return new Batch();
    }

    /** The delay before try {@code n + 1} after try {@code n} failed: the task's backoff, doubling per try. */
    static Duration backoff(TaskSpec spec, int failedTry) {
        return spec.retryBackoff().multipliedBy(1L << Math.min(10, failedTry - 1));
    }

    /** Changes to commit together. Not thread-safe: one thread fills and commits it. */
    final class Batch {
        private final List<TransitionRequest> requests = new ArrayList<>();
        private final List<Runnable> thens = new ArrayList<>();

        /** The pod got further (Pending, Running). The held task's state changes at once, so later news in this batch builds on it. */
        Batch advance(ActiveTask a, TaskState to, String reason) {
            Set<TaskState> from = to == TaskState.PENDING
                    ? EnumSet.of(TaskState.LAUNCHING)
                    : EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING);
            a.state = to;
            if (to == TaskState.RUNNING) {
                metrics.running(a);
            }
            return add(a.id, a.tryNumber, from, to, reason, null, null, NOTHING_MORE);
        }

        /** The task stays Pending with a new status (e.g. what the scheduler said). */
        Batch note(ActiveTask a, String reason) {
            return add(
                    a.id,
                    a.tryNumber,
                    EnumSet.of(TaskState.PENDING),
                    TaskState.PENDING,
                    reason,
                    null,
                    null,
                    NOTHING_MORE);
        }

        Batch succeed(ActiveTask a, String reason, Runnable then) {
            return add(a.id, a.tryNumber, IN_FLIGHT, TaskState.SUCCEEDED, reason, null, null, then);
        }

        /**
         * The try failed: another try after the backoff if the task has retries left, else the task
         * fails. A try the cluster ended ({@link ActiveTask#endedBy}) is tried again on the task's
         * infrastructure budget first, without using a retry; once that is used up it counts as any
         * failed try.
         */
        Batch endTry(ActiveTask a, FailureDetails details, Runnable then) {
            int infraUsed = a.task.infraFailures();
            String endedBy = a.endedBy;
            if (endedBy != null && infraUsed < a.spec.infraRetries()) {
                return infraRetry(a, details, endedBy, infraUsed + 1, then);
            }
            // The details say what the cluster did; the reason adds that the budget is gone.
            String spent = endedBy == null ? "" : " (infrastructure budget of " + a.spec.infraRetries() + " used up)";
            // Tries the cluster ended and retried on the budget are not the user's.
            int userTry = a.tryNumber - infraUsed;
            if (userTry <= a.spec.retries()) {
                return retry(a, details, userTry, spent, then);
            }
            return add(
                    a.id,
                    a.tryNumber,
                    IN_FLIGHT,
                    TaskState.FAILED,
                    details.summary() + spent,
                    details,
                    null,
                    false,
                    then);
        }

        private Batch retry(ActiveTask a, FailureDetails details, int userTry, String spent, Runnable then) {
            Duration backoff = backoff(a.spec, userTry);
            String reason = "try " + a.tryNumber + " failed: " + details.summary() + spent + "; retrying in "
                    + backoff.toSeconds() + " s";
            return add(
                    a.id, a.tryNumber, IN_FLIGHT, TaskState.UP_FOR_RETRY, reason, details, now().plus(backoff), then);
        }

        /** A try the cluster ended, tried again after the task's first backoff without using a retry. */
        private Batch infraRetry(ActiveTask a, FailureDetails details, String endedBy, int used, Runnable then) {
            Duration backoff = a.spec.retryBackoff();
            String reason = "try " + a.tryNumber + " ended by " + endedBy
                    + "; retried without using a retry (infrastructure budget " + used + " of "
                    + a.spec.infraRetries() + " used); retrying in " + backoff.toSeconds() + " s";
            return add(
                    a.id,
                    a.tryNumber,
                    IN_FLIGHT,
                    TaskState.UP_FOR_RETRY,
                    reason,
                    details,
                    now().plus(backoff),
                    true,
                    then);
        }

        Batch fail(String id, int tryNumber, FailureDetails details, Runnable then) {
            return add(id, tryNumber, IN_FLIGHT, TaskState.FAILED, details.summary(), details, null, then);
        }

        /** The launch did not happen (yet): back to the queue, to be claimed again after {@code after}. */
        Batch requeue(String id, int tryNumber, Duration after, String reason) {
            return add(
                    id,
                    tryNumber,
                    EnumSet.of(TaskState.LAUNCHING),
                    TaskState.QUEUED,
                    "launch deferred: " + reason,
                    null,
                    now().plus(after),
                    NOTHING_MORE);
        }

        /** A cancel of a task in flight here (its pod is revoked by {@code then}). */
        Batch cancel(ActiveTask a, String reason, Runnable then) {
            return add(a.id, a.tryNumber, IN_FLIGHT, TaskState.CANCELLED, reason, null, null, then);
        }

        /** A cancel of a task that waits in the queue: it never launches. */
        Batch cancelWaiting(Task t) {
            return add(
                    t.id(),
                    t.tryNumber(),
                    WAITING,
                    TaskState.CANCELLED,
                    "cancelled before launch",
                    null,
                    null,
                    NOTHING_MORE);
        }

        boolean isEmpty() {
            return requests.isEmpty();
        }

        private Batch add(
                String id,
                int tryNumber,
                Set<TaskState> from,
                TaskState to,
                String reason,
                FailureDetails failure,
                Instant nextAttemptAt,
                Runnable then) {
            return add(id, tryNumber, from, to, reason, failure, nextAttemptAt, false, then);
        }

        /** {@code infrastructure}: the change uses one of the task's infrastructure retries. */
        private Batch add(
                String id,
                int tryNumber,
                Set<TaskState> from,
                TaskState to,
                String reason,
                FailureDetails failure,
                Instant nextAttemptAt,
                boolean infrastructure,
                Runnable then) {
            // Waiting tasks have no owner; every other change is of a task in flight here.
            String expected = from.equals(WAITING) ? null : owner;
            requests.add(new TransitionRequest(
                    id, tryNumber, from, to, reason, failure, nextAttemptAt, now(), expected, infrastructure));
            thens.add(then);
            return this;
        }

        /** Commits every change in one transaction (one by one if that fails), then tells listeners and runs the follow-ups. */
        void commit() {
            if (requests.isEmpty()) {
                return;
            }
            List<Optional<Task>> results;
            try {
                results = store.transitionAll(requests);
            } catch (RuntimeException e) {
                // One bad change must not hold back the others.
                log.warn(
                        "committing {} state changes together failed ({}); one at a time",
                        requests.size(),
                        e.toString());
                results = new ArrayList<>();
                for (TransitionRequest r : requests) {
                    results.add(one(r));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                Optional<Task> moved = results.get(i);
                if (moved.isPresent()) {
                    metrics.moved(requests.get(i));
                    try {
                        listener.accept(moved.get());
                    } catch (RuntimeException e) {
                        log.error(
                                "a state listener failed on task {}",
                                moved.get().id(),
                                e);
                    }
                    thens.get(i).run();
                }
            }
            requests.clear();
            thens.clear();
        }

        private Optional<Task> one(TransitionRequest r) {
            try {
                return store.transitionAll(List.of(r)).getFirst();
            } catch (RuntimeException e) {
                log.error("task {}: could not record {}", r.id(), r.to(), e);
                return Optional.empty();
            }
        }
    }

    private Instant now() {
        return clock.instant();
    }
}
