package dev.drover.core;

/** What happens to a task's pod once the task ended. */
public enum CleanupPolicy {
    /** Delete the pod when the task succeeded; keep failed pods for inspection (default). */
    DELETE_ON_SUCCESS,
    ALWAYS,
    NEVER;

    /** Whether a pod whose try {@code succeeded} (or not) is deleted; a kept one is labelled done. */
    public boolean deletesPod(boolean succeeded) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case DELETE_ON_SUCCESS -> succeeded;
        };
    }
}
