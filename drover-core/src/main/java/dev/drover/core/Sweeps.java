package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.PodView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's periodic checks: cancel requests in the store, timeouts of the tries in flight,
 * launches waiting too long for their namespace, namespaces that cannot be listed. A sweep only
 * finds; what to do is decided again on the inbox's worker, in order with the pod news, so a result
 * that arrived first wins over a late cancel or timeout.
 */
final class Sweeps {
    private static final Logger log = LoggerFactory.getLogger(Sweeps.class);
    /** A launch deferred for its namespace is claimed again after this. */
    static final Duration NAMESPACE_RETRY = Duration.ofSeconds(30);

    static final String STARTUP_TIMEOUT = "StartupTimeout";

    private final TaskStore store;
    private final InFlight inFlight;
    private final Tracker tracker;
    private final PodClassifier classifier;
    private final PodNews news;
    private final Cleanup cleanup;
    private final Background cleanups;
    private final TaskMoves moves;
    private final Inbox inbox;
    private final Clock clock;
    private final Duration namespaceWait;
    private final StartupRecheck recheck;
    /** What was last said about each namespace that is not listed, so it is said once per change. */
    private final Map<String, String> reported = new HashMap<>();

    Sweeps(
            TaskStore store,
            InFlight inFlight,
            Tracker tracker,
            PodClassifier classifier,
            PodNews news,
            Cleanup cleanup,
            Background cleanups,
            TaskMoves moves,
            Inbox inbox,
            Clock clock,
            Duration namespaceWait,
            StartupRecheck recheck) {
        this.store = store;
        this.inFlight = inFlight;
        this.tracker = tracker;
        this.classifier = classifier;
        this.news = news;
        this.cleanup = cleanup;
        this.cleanups = cleanups;
        this.moves = moves;
        this.inbox = inbox;
        this.clock = clock;
        this.namespaceWait = namespaceWait;
        this.recheck = recheck;
    }

    /** On the scheduler thread, once per tick. */
    void sweep() {
        Instant now = clock.instant();
        TaskMoves.Batch waiting = moves.batch();
        for (Task t : store.cancelRequested()) {
            if (t.state() == TaskState.QUEUED || t.state() == TaskState.UP_FOR_RETRY) {
                waiting.cancelWaiting(t);
            } else if (inFlight.holds(t.id())) {
                inbox.post(new Message.CancelAsked(t.id()));
            }
            // In flight with another scheduler: its own sweep finds the request.
        }
        waiting.commit();
        for (ActiveTask a : inFlight.all()) {
            if (!a.ending && (overdue(a, now) != null || a.pendingRuleDue(now) != null)) {
                inbox.post(new Message.Overdue(a.id, a.tryNumber));
            }
            Instant since = a.waitingSince;
            if (since != null && now.isAfter(since.plus(namespaceWait))) {
                inbox.post(new Message.NamespaceWaitOver(a.id, a.tryNumber));
            }
        }
        reportNamespaces();
    }

    /** Why the try is overdue (startup or run timeout), or null when it is not. */
    static FailureDetails overdue(ActiveTask a, Instant now) {
        if (a.podName == null) {
            return null;
        }
        boolean starting = a.state == TaskState.LAUNCHING || a.state == TaskState.PENDING;
        if (starting
                && a.runningSince == null
                && a.seenAt != null
                && now.isAfter(a.seenAt.plus(a.spec.startupTimeout()))) {
            String waiting = a.waitingFor;
            return FailureDetails.of(
                    STARTUP_TIMEOUT,
                    "pod " + a.podName + " was not running "
                            + a.spec.startupTimeout().toSeconds() + " s after it was first seen"
                            + (waiting == null ? "" : "; waiting: " + waiting));
        }
        if (a.spec.runTimeout() != null
                && a.runningSince != null
                && now.isAfter(a.runningSince.plus(a.spec.runTimeout()))) {
            return FailureDetails.of(
                    "RunTimeout",
                    "pod " + a.podName + " ran longer than "
                            + a.spec.runTimeout().toSeconds() + " s");
        }
        return null;
    }

    /** On the worker: a cancel request for a held task. A pod that has already finished keeps its result. */
    void cancelAsked(Message.CancelAsked m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId());
        if (a == null || a.ending) {
            return;
        }
        if (a.resuming || a.podName == null) {
            a.cancelAsked = true; // acted on once its pod is created or matched
            return;
        }
        Optional<PodView> pod = tracker.pod(a.namespace(), a.podName);
        if (pod.isPresent()) {
            Outcome o = classifier.classify(pod.get(), false);
            if (o instanceof Outcome.Succeeded || o instanceof Outcome.Failed) {
                news.outcome(a, o, b);
                return;
            }
        }
        if (inFlight.release(a)) {
            String ns = a.namespace();
            String name = a.podName;
            b.cancel(a, "cancelled; pod " + name + " deleted", () -> cleanups.run(() -> cleanup.revoke(ns, name)));
        }
    }

    /**
     * On the worker: a timeout or a pending rule's grace found over by the sweep, checked again
     * (the pod may have started meanwhile). A startup timeout is decided on a fresh read of the pod
     * ({@link StartupRecheck}).
     */
    void overdue(Message.Overdue m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a == null || a.ending || news.giveUpIfDue(a, b)) {
            return;
        }
        FailureDetails why = overdue(a, clock.instant());
        if (why != null && STARTUP_TIMEOUT.equals(why.reason())) {
            recheck.ask(a);
        } else if (why != null) {
            news.end(a, why, b, deletesTimedOut(a.spec.cleanup()));
        }
    }

    /**
     * A pod that overran its time is deleted (it would go on running), unless the policy is NEVER:
     * then it is kept for inspection, labelled done, like every pod under NEVER.
     */
    static boolean deletesTimedOut(CleanupPolicy policy) {
        return policy != CleanupPolicy.NEVER;
    }

    /** On the worker: a launch waited too long for its namespace to be listed; back to the queue. */
    void namespaceWaitOver(Message.NamespaceWaitOver m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a == null || a.waitingSince == null || !a.launchPending.compareAndSet(true, false)) {
            return;
        }
        if (inFlight.release(a)) {
            b.requeue(
                    a.id,
                    a.tryNumber,
                    NAMESPACE_RETRY,
                    "pods in " + a.namespace() + " not listed yet" + problem(a.namespace()));
        }
    }

    private String problem(String namespace) {
        return tracker.namespaces().stream()
                .filter(s -> s.namespace().equals(namespace) && s.problem() != null)
                .map(s -> ": " + s.problem())
                .findFirst()
                .orElse("");
    }

    /** Says once (and again when it changes) which namespaces cannot be listed, and when they can. */
    private void reportNamespaces() {
        for (NamespaceStatus s : tracker.namespaces()) {
            String said = reported.get(s.namespace());
            if (s.synced()) {
                if (said != null) {
                    log.info("pods in {} are listed now", s.namespace());
                    reported.remove(s.namespace());
                }
            } else if (s.problem() != null && !s.problem().equals(said)) {
                log.warn("pods in {} cannot be listed: {}; its tasks wait", s.namespace(), s.problem());
                reported.put(s.namespace(), s.problem());
            }
        }
    }
}
