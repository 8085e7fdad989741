package dev.drover.core;

import org.jspecify.annotations.Nullable;

/** What a pod says about its task's try. */
sealed interface Outcome {
    /**
     * Not running yet. {@code waitingReason} and {@code message} say what it waits for: a
     * container's waiting reason (the container named), or the scheduler's ({@code Unschedulable},
     * {@code SchedulingGated}; no container); {@code rule} is the pending rule that matched, if any
     * (the engine applies its grace and action).
     */
    record Pending(
            @Nullable String waitingReason,
            @Nullable String message,
            @Nullable String container,
            @Nullable PendingRule rule)
            implements Outcome {
        Pending(@Nullable String waitingReason) {
            this(waitingReason, null, null, null);
        }
    }

    record Running() implements Outcome {}

    record Succeeded() implements Outcome {}

    /**
     * The try failed. {@code endedBy}: when the cluster ended it, not the work (eviction, a lost
     * node, preemption, a kubelet that could not admit it), who and why, e.g. {@code the node:
     * Evicted (The node was low on resource: memory…)}; such a try is retried on the task's
     * infrastructure budget, not its retries.
     */
    record Failed(FailureDetails details, @Nullable String endedBy) implements Outcome {
        Failed(FailureDetails details) {
            this(details, null);
        }
    }

    /** The pod carries the revoked label (cancelled): nothing it says counts. */
    record Ignored(String why) implements Outcome {}

    /**
     * The pod left our watch without being deleted (relabelled: done, or adopted by another
     * scheduler). The slot is free; the task's state does not change here.
     */
    record LeftSelector() implements Outcome {}
}
