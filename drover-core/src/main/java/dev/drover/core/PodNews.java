package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.PodView;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod news turned into task states, on the inbox's worker: each change of a pod of ours goes
 * through the classifier, and what it says moves the task, ends its try or frees its slot. A
 * failed try is recorded with its failure details (recent Events, the failed container's last log
 * lines); the log tail is read in the background, so one slow kubelet never stalls the news of
 * every other pod.
 */
final class PodNews {
    private static final Logger log = LoggerFactory.getLogger(PodNews.class);
    private static final int EVENTS_KEPT = 10;

    private final InFlight inFlight;
    private final Tracker tracker;
    private final PodClassifier classifier;
    private final PodReads reads;
    private final Background logReads;
    private final Cleanup cleanup;
    private final Background cleanups;
    private final Inbox inbox;
    private final TaskStore store;
    private final Clock clock;
    private final int failureLogLines;
    /** Pods ({@code namespace/name}) cleaned up here: {@link #UNDER_WAY}, or when it ended (nanoTime). */
    private final java.util.Map<String, Long> cleaning = new java.util.concurrent.ConcurrentHashMap<>();

    private static final long UNDER_WAY = Long.MIN_VALUE;
    /** How long after a cleanup the pod's news may still be the echo of its writes. */
    private static final java.time.Duration ECHO = java.time.Duration.ofMinutes(1);
    /** Where logs are kept before a pod is let go; null: not kept (only a failed container's tail is read). */
    private final LogKeeper logs;

    PodNews(
            InFlight inFlight,
            Tracker tracker,
            PodClassifier classifier,
            PodReads reads,
            Background logReads,
            Cleanup cleanup,
            Background cleanups,
            Inbox inbox,
            TaskStore store,
            Clock clock,
            int failureLogLines,
            LogKeeper logs) {
        this.inFlight = inFlight;
        this.tracker = tracker;
        this.classifier = classifier;
        this.reads = reads;
        this.logReads = logReads;
        this.cleanup = cleanup;
        this.cleanups = cleanups;
        this.inbox = inbox;
        this.store = store;
        this.clock = clock;
        this.failureLogLines = failureLogLines;
        this.logs = logs;
    }

    /** A pod of ours changed: its task's try moves on, or, if not held here, its cleanup is finished. */
    void changed(PodView pod, boolean deleted, TaskMoves.Batch b) {
        String id = pod.labels().get(PodLabels.TASK_ID);
        Integer tryNumber = PodLabels.tryOf(pod);
        if (id == null || tryNumber == null) {
            return;
        }
        ActiveTask a = inFlight.get(id, tryNumber);
        if (a == null) {
            settleStray(pod, deleted, id);
            return;
        }
        if (a.ending) {
            return;
        }
        a.resuming = false;
        a.podUid = pod.uid();
        // Gone (a DELETED delta): nothing left to write to it; else what the cleanup must know.
        a.lastPod = deleted ? pod.withDeletion(List.of(), true, true) : pod;
        if (a.podName == null) {
            a.podName = pod.name();
        }
        if (a.seenAt == null) {
            a.seenAt = clock.instant();
        }
        String uid = pod.uid();
        outcome(a, classifier.classify(pod, deleted, () -> tracker.recentEvents(a.namespace(), uid, EVENTS_KEPT)), b);
    }

    /** What the pod says about a held try. */
    void outcome(ActiveTask a, Outcome o, TaskMoves.Batch b) {
        switch (o) {
            case Outcome.Pending p -> pending(a, p, b);
            case Outcome.Running r -> {
                if (a.runningSince == null) {
                    a.runningSince = clock.instant();
                }
                if (a.state != TaskState.RUNNING) {
                    b.advance(a, TaskState.RUNNING, "pod running");
                }
            }
            case Outcome.Succeeded s -> conclude(a, null, b, a.spec.cleanup().deletesPod(true), false);
            case Outcome.Failed f -> {
                a.endedBy = f.endedBy(); // the cluster ended it: retried on the infrastructure budget
                end(a, f.details(), b);
            }
            case Outcome.Ignored i -> {}
            case Outcome.LeftSelector l -> {
                // Relabelled away (adopted by another scheduler): free the slot, leave the task's state alone.
                log.info(
                        "pod {}/{} left this scheduler's watch; task {} is no longer held here",
                        a.namespace(),
                        a.podName,
                        a.id);
                inFlight.letGo(a);
            }
        }
    }

    /**
     * The pod waits: its status is recorded (what the scheduler said, when it said something new);
     * a pending rule whose grace is over gives up on the try.
     */
    private void pending(ActiveTask a, Outcome.Pending p, TaskMoves.Batch b) {
        boolean scheduler = p.container() == null && p.waitingReason() != null;
        String status = p.waitingReason() == null
                ? "pod pending"
                : "pod pending: " + p.waitingReason() + (scheduler && p.message() != null ? ": " + p.message() : "");
        if (a.state == TaskState.LAUNCHING) {
            b.advance(a, TaskState.PENDING, status);
            a.schedulerSaid = scheduler ? status : null;
        } else if (a.state == TaskState.PENDING
                && (scheduler ? !status.equals(a.schedulerSaid) : a.schedulerSaid != null)) {
            // What the scheduler said is news, and so is its end (the pod was placed).
            b.note(a, status);
            a.schedulerSaid = scheduler ? status : null;
        }
        a.waiting(p, clock.instant());
        giveUpIfDue(a, b);
    }

    /**
     * When the pod has matched a rule that gives up for its whole grace: FAIL fails the task,
     * RETRY fails the try (retried while retries are left). True if it did.
     */
    boolean giveUpIfDue(ActiveTask a, TaskMoves.Batch b) {
        PendingRule r = a.pendingRuleDue(clock.instant());
        if (r == null) {
            return false;
        }
        String message = (a.pendingMessage == null ? "" : a.pendingMessage + " ") + "(pending rule " + r.name()
                + (r.grace().isZero() ? "" : ", waited " + r.grace().toSeconds() + " s") + ")";
        FailureDetails details = new FailureDetails(a.pendingReason, message, a.pendingContainer, null, null, null);
        log.info("task {}: pod {} {} by pending rule {}", a.id, a.podName, r.action(), r.name());
        conclude(a, details, b, a.spec.cleanup().deletesPod(false), r.action() == PendingRule.Action.FAIL);
        return true;
    }

    /** The try failed; its pod (if any) is cleaned up as the task's policy says. */
    void end(ActiveTask a, FailureDetails details, TaskMoves.Batch b) {
        end(a, details, b, a.spec.cleanup().deletesPod(false));
    }

    /** The try failed: recorded (retried or failed) once its logs are kept and its failure details complete. */
    void end(ActiveTask a, FailureDetails details, TaskMoves.Batch b, boolean deletePod) {
        conclude(a, details, b, deletePod, false);
    }

    /**
     * The try's outcome is known ({@code failure} null: it succeeded). Before it is recorded, and
     * so before the pod is let go, the logs of its containers that ran are kept and a failed
     * container's last lines read (off the worker: one slow kubelet never stalls the news of every
     * other pod). {@code once}: the task fails without using its retries.
     */
    private void conclude(ActiveTask a, FailureDetails failure, TaskMoves.Batch b, boolean deletePod, boolean once) {
        String pod = a.podName;
        List<String> containers = pod == null || a.lastPod == null ? List.of() : containersThatRan(a.lastPod);
        boolean tail = failure != null
                && failureLogLines > 0
                && pod != null
                && failure.container() != null
                && failure.exitCode() != null;
        if (logs != null ? containers.isEmpty() : !tail) {
            record(a, failure, b, deletePod, once);
            return;
        }
        a.ending = true;
        String ns = a.namespace();
        logReads.run(() -> {
            FailureDetails details = failure;
            if (logs != null) {
                containers.forEach(c -> logs.keep(a.id, a.tryNumber, ns, pod, c));
                if (tail) {
                    details = failure.withLogTail(logs.tail(a.id, a.tryNumber, failure.container(), failureLogLines));
                }
            } else {
                details = withLogTail(failure, ns, pod);
            }
            inbox.post(new Message.Concluded(a.id, a.tryNumber, details, deletePod, once));
        });
    }

    /** Init containers first: every container that started (a waiting one has no log yet). */
    static List<String> containersThatRan(PodView pod) {
        List<String> out = new java.util.ArrayList<>();
        for (List<PodView.ContainerView> list : List.of(pod.initContainers(), pod.containers())) {
            for (PodView.ContainerView c : list) {
                if ("running".equals(c.state()) || "terminated".equals(c.state())) {
                    out.add(c.name());
                }
            }
        }
        return out;
    }

    /** On the worker: the try's logs are kept (or could not be); its outcome is recorded now. */
    void concluded(Message.Concluded m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a != null) {
            record(a, m.failure(), b, m.deletePod(), m.once());
        }
    }

    /** Records the outcome ({@code failure} null: success); then the pod is cleaned up and let go. */
    private void record(ActiveTask a, FailureDetails failure, TaskMoves.Batch b, boolean deletePod, boolean once) {
        FailureDetails full =
                failure == null ? null : failure.withEvents(tracker.recentEvents(a.namespace(), a.podUid, EVENTS_KEPT));
        if (!inFlight.release(a)) {
            return;
        }
        String pod = a.podName;
        PodView last = a.lastPod;
        Runnable then = pod == null
                ? () -> {}
                : () -> cleanUp(a.namespace(), pod, () -> cleanup.finished(a.namespace(), pod, deletePod, last));
        if (full == null) {
            b.succeed(a, "pod succeeded", then);
        } else if (once) {
            b.fail(a.id, a.tryNumber, full, then);
        } else {
            b.endTry(a, full, then);
        }
    }

    /**
     * The cleanup write(s) of a pod, in the background. While they are under way, and for a while
     * after (the watch may bring the delete they caused later than they finish), the pod's news is
     * this cleanup's own, not a stray's to settle again.
     */
    private void cleanUp(String namespace, String pod, Runnable writes) {
        String key = namespace + "/" + pod;
        if (cleaning.putIfAbsent(key, UNDER_WAY) != null && !settledLongAgo(key)) {
            return; // under way, or just done
        }
        cleaning.put(key, UNDER_WAY);
        cleanups.run(() -> {
            try {
                writes.run();
            } finally {
                cleaning.put(key, System.nanoTime());
            }
        });
        if (cleaning.size() > 10_000) {
            cleaning.keySet().removeIf(this::settledLongAgo); // a bound: old entries say nothing any more
        }
    }

    /** Whether the pod's cleanup here ended long enough ago that news of it is no longer its echo. */
    private boolean settledLongAgo(String key) {
        Long at = cleaning.get(key);
        return at == null || at != Long.MIN_VALUE && System.nanoTime() - at > ECHO.toNanos();
    }

    private FailureDetails withLogTail(FailureDetails d, String namespace, String pod) {
        try {
            return d.withLogTail(reads.logTail(namespace, pod, d.container(), failureLogLines));
        } catch (RuntimeException e) {
            log.debug("no log tail for {}/{}: {}", namespace, pod, e.toString());
            return d;
        }
    }

    /** A create answered. */
    void launched(Message.Launched m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a == null) {
            return; // no longer held (cancelled in the queue meanwhile)
        }
        switch (m.result()) {
            case LaunchResult.Created c -> {
                // The claim stored the pod name already (it is deterministic): no write here.
                a.podName = c.podName();
                if (a.seenAt == null) {
                    a.seenAt = clock.instant();
                }
                if (c.alreadyExisted()
                        && tracker.pod(a.namespace(), c.podName()).isEmpty()) {
                    // Made before, and not in this replica's watch: another replica's (one that was
                    // declared dead made it late). Matched as a task taken over: adopted, or let go.
                    a.resuming = true;
                    a.takenOver = true;
                    inbox.post(new Message.Resume(a.task, true));
                    return;
                }
                askAgainIfCancelled(a);
            }
            case LaunchResult.Rejected r -> {
                // Retrying a pod the apiserver refuses would be refused again: fail the task.
                if (inFlight.release(a)) {
                    b.fail(a.id, a.tryNumber, r.details(), () -> {});
                }
            }
            case LaunchResult.Requeue q -> {
                if (inFlight.release(a)) {
                    b.requeue(a.id, a.tryNumber, q.after(), q.reason());
                }
            }
        }
    }

    /** A cancel asked while the try could not yet be cancelled is asked again, after what was just learned. */
    void askAgainIfCancelled(ActiveTask a) {
        if (a.cancelAsked && inFlight.get(a.id, a.tryNumber) == a) {
            a.cancelAsked = false;
            inbox.post(new Message.CancelAsked(a.id));
        }
    }

    /**
     * A pod of a task this scheduler does not hold in flight: finished already, an older try, or a
     * task the store does not know. Nobody records it any more: its cleanup is finished, and
     * Drover's finalizer never stays on it.
     */
    void settleStray(PodView pod, boolean deleted, String id) {
        boolean held = pod.hasFinalizer(PodLabels.FINALIZER);
        if (deleted || pod.deleting() && !held || !settledLongAgo(pod.namespace() + "/" + pod.name())) {
            return; // gone, on its way out with nothing of ours on it, or being cleaned up here now
        }
        Optional<Task> t = store.get(id);
        if (t.isEmpty()) {
            if (held) {
                log.info(
                        "pod {}/{}: its task {} is not in the store; dropping the finalizer",
                        pod.namespace(),
                        pod.name(),
                        id);
                cleanUp(pod.namespace(), pod.name(), () -> cleanup.release(pod.namespace(), pod.name()));
            }
            return;
        }
        if (!FinalizerGc.nobodyRecords(pod, t.get())) {
            return;
        }
        if (pod.deleting()) {
            if (held) {
                // on its way out: let it go
                cleanUp(pod.namespace(), pod.name(), () -> cleanup.release(pod.namespace(), pod.name()));
            }
            return;
        }
        Outcome o = classifier.classify(pod, false);
        if (o instanceof Outcome.Succeeded || o instanceof Outcome.Failed) {
            // e.g. a crash between recording the outcome and labelling the pod: finish the cleanup.
            boolean delete = t.get().spec().cleanup().deletesPod(o instanceof Outcome.Succeeded);
            cleanUp(pod.namespace(), pod.name(), () -> cleanup.finished(pod.namespace(), pod.name(), delete, pod));
        }
    }
}
