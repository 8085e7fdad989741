package dev.drover.core;

/** The labels and annotations by which Drover knows its pods. */
final class PodLabels {
    static final String OWNER = "drover.dev/owner";
    static final String TASK_ID = "drover.dev/task-id";
    static final String TRY = "drover.dev/try";
    static final String TASK_NAME = "drover.dev/task-name";
    /** Set once the task's outcome is recorded: the tracker's selector then lets the pod go. */
    static final String DONE = "drover.dev/done";
    /** Set on cancel before the delete: events of a revoked pod are ignored. */
    static final String REVOKED = "drover.dev/revoked";
    /**
     * The finalizer on every pod Drover creates (unless turned off): whoever deletes the pod, it
     * stays until Drover has recorded its task's outcome and archived its logs.
     */
    static final String FINALIZER = "drover.dev/result";

    private PodLabels() {}

    /** The pod's try, from its label; null when it has none (not a try of ours). */
    static Integer tryOf(dev.drover.kube.PodView pod) {
        String label = pod.labels().get(TRY);
        try {
            return label == null ? null : Integer.valueOf(label);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The tracker's selector: this scheduler's pods whose outcome is not recorded yet. */
    static String trackingSelector(String owner) {
        return OWNER + "=" + owner + "," + DONE + "!=true";
    }
}
