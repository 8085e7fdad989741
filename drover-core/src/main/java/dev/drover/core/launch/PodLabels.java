package dev.drover.core.launch;

/** The labels and annotations by which Drover knows its pods. */
public final class PodLabels {
    public static final String OWNER = "drover.dev/owner";
    public static final String TASK_ID = "drover.dev/task-id";
    public static final String TRY = "drover.dev/try";
    public static final String TASK_NAME = "drover.dev/task-name";
    /** Set once the task's outcome is recorded: the tracker's selector then lets the pod go. */
    public static final String DONE = "drover.dev/done";
    /** Set on cancel before the delete: events of a revoked pod are ignored. */
    public static final String REVOKED = "drover.dev/revoked";

    private PodLabels() {}

    /** The tracker's selector: this scheduler's pods whose outcome is not recorded yet. */
    public static String trackingSelector(String owner) {
        return OWNER + "=" + owner + "," + DONE + "!=true";
    }

    /** Deterministic: the same task and try always give the same name, so a re-create answers 409. */
    public static String podName(String taskName, String taskId, int tryNumber) {
        return taskName + "-" + taskId + "-" + tryNumber;
    }
}
