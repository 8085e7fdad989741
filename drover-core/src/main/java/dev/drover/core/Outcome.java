package dev.drover.core;

/** What a pod says about its task's try. */
sealed interface Outcome {
    /** Not running yet; {@code waitingReason} is the first container's waiting reason, if any. */
    record Pending(String waitingReason) implements Outcome {}

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
