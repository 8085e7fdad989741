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

    record Failed(FailureDetails details) implements Outcome {}

    /** The pod carries the revoked label (cancelled): nothing it says counts. */
    record Ignored(String why) implements Outcome {}

    /**
     * The pod left our watch without being deleted (relabelled: done, or adopted by another
     * scheduler). The slot is free; the task's state does not change here.
     */
    record LeftSelector() implements Outcome {}
}
