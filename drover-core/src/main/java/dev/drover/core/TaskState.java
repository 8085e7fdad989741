package dev.drover.core;

/** Where a task stands. Every change is persisted with its time and reason. */
public enum TaskState {
    /** Submitted, waiting for a free slot. */
    QUEUED,
    /** Claimed by a scheduler; its pod is being created. */
    LAUNCHING,
    /** The pod exists and is not running yet (scheduling, pulling images, init containers). */
    PENDING,
    RUNNING,
    /** The try failed and another one will follow after a backoff. */
    UP_FOR_RETRY,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
