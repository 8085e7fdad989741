package dev.drover.core;

/** What happens to a task's pod once the task ended. */
public enum CleanupPolicy {
    /** Delete the pod when the task succeeded; keep failed pods for inspection (default). */
    DELETE_ON_SUCCESS,
    ALWAYS,
    NEVER
}
