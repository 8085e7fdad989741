package dev.drover.core;

import java.time.Instant;

/**
 * A claimed task in flight, as this scheduler holds it in memory (one slot of the parallelism).
 * Created by the scheduler thread; changed only by the inbox's worker, so its fields need no locks
 * (volatile: the sweeps read them from the scheduler thread).
 */
final class ActiveTask {
    /** The task as claimed (or found in the store at a restart): what a launch creates. */
    final Task task;

    final String id;
    final TaskSpec spec;
    final int tryNumber;
    volatile TaskState state;
    /** The pod, once it is known to exist (created, or seen): what cancel and timeouts act on. */
    volatile String podName;

    volatile String podUid;
    /** The pod as last seen: which containers ran (their logs are kept), whether it is held by the finalizer or deleted already. */
    volatile dev.drover.kube.PodView lastPod;
    /** When this scheduler first saw the pod exist: the start of the startup timeout. */
    volatile Instant seenAt;
    /** When this replica's create of the pod answered ({@link System#nanoTime}; 0: not created here, or already measured). */
    volatile long podCreatedNanos;
    /** When it was first seen Running: the start of the run timeout. */
    volatile Instant runningSince;
    /** Claimed, and its launch waits for the namespace's pods to be listed, since then. */
    volatile Instant waitingSince;
    /** Held after a restart or picked up as a stray, not yet matched with its pod. */
    volatile boolean resuming;
    /** The try's outcome is being recorded (its failure details are read): later news changes nothing. */
    volatile boolean ending;
    /** A cancel was asked before the try could be cancelled (no pod yet, or not resumed yet). */
    volatile boolean cancelAsked;
    /** Taken over from a replica that is not alive: its pod, if any, still carries that one's name. */
    volatile boolean takenOver;
    /** Adoptions of this try's pod that found it changed. */
    volatile int adoptTries;
    /** The pending rule the pod's wait matches now (null: none), and since when this replica has seen it so. */
    volatile PendingRule pendingRule;

    volatile Instant pendingSince;
    /** The waiting container, reason and message that matched {@link #pendingRule}. */
    volatile String pendingContainer;

    volatile String pendingReason;
    volatile String pendingMessage;
    /** What the pod last waited for, for people ({@code ErrImagePull: ...}); said in a startup timeout. */
    volatile String waitingFor;
    /**
     * Who ended the try when the cluster did (eviction, lost node, preemption…), as the classifier
     * said: such a try is retried on the infrastructure budget. Null: the work ended it.
     */
    volatile String endedBy;
    /** A startup timeout is due and the pod is being read again (one GET) before it is decided. */
    volatile boolean recheckingTimeout;
    /** The scheduler's last word recorded in the task's status, so it is recorded once per change. */
    volatile String schedulerSaid;

    /** A launch is due and not started yet: exactly one of the paths that may start it does. */
    final java.util.concurrent.atomic.AtomicBoolean launchPending = new java.util.concurrent.atomic.AtomicBoolean();

    ActiveTask(Task t) {
        this.task = t;
        this.id = t.id();
        this.spec = t.spec();
        this.tryNumber = t.tryNumber();
        this.state = t.state();
        // A LAUNCHING task's stored pod name is the one its create will use, not yet a pod.
        this.podName = t.state() == TaskState.LAUNCHING ? null : t.podName();
    }

    /**
     * The pod waits as {@code p} says, seen {@code now}: the grace of a rule counts from when this
     * replica first saw the pod match it, and starts again when the match changes (another rule or
     * container). An {@code ImagePullBackOff} continues the pull error before it: its message
     * ("Back-off pulling image") says nothing new, so a throttled pull keeps waiting.
     */
    void waiting(Outcome.Pending p, Instant now) {
        waitingFor =
                p.waitingReason() == null ? null : p.waitingReason() + (p.message() == null ? "" : ": " + p.message());
        boolean backOff = "ImagePullBackOff".equals(p.waitingReason())
                && pendingRule != null
                && java.util.Objects.equals(pendingContainer, p.container())
                && ("ErrImagePull".equals(pendingReason) || "ImagePullBackOff".equals(pendingReason));
        if (backOff) {
            return;
        }
        PendingRule r = p.rule();
        if (r == null) {
            pendingRule = null;
            pendingSince = null;
            pendingContainer = pendingReason = pendingMessage = null;
            return;
        }
        if (!r.equals(pendingRule) || !java.util.Objects.equals(pendingContainer, p.container())) {
            pendingSince = now;
        }
        pendingRule = r;
        pendingContainer = p.container();
        pendingReason = p.waitingReason();
        pendingMessage = p.message();
    }

    /** The pending rule whose grace is over at {@code now} and that gives up (fail, retry); null if none. */
    PendingRule pendingRuleDue(Instant now) {
        PendingRule r = pendingRule;
        Instant since = pendingSince;
        if (r == null
                || since == null
                || r.action() == PendingRule.Action.WAIT
                || runningSince != null
                || (state != TaskState.LAUNCHING && state != TaskState.PENDING)) {
            return null;
        }
        return now.isBefore(since.plus(r.grace())) ? null : r;
    }

    String namespace() {
        return spec.namespace();
    }

    /** The name its pod has (or will have): deterministic. */
    String expectedPodName() {
        return TaskIds.podName(spec.name(), id, tryNumber);
    }

    @Override
    public String toString() {
        return id + " (try " + tryNumber + ", " + state + ")";
    }
}
