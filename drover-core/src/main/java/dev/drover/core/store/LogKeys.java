package dev.drover.core.store;

import java.util.regex.Pattern;

/** The checks on a log archive's names, the same for every implementation (they become paths too). */
final class LogKeys {
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private LogKeys() {}

    static void check(String taskId) {
        if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
            throw new IllegalArgumentException("taskId '" + taskId + "' is not a task id: use 1-64 letters, digits,"
                    + " '.', '_' or '-', not starting with '.'");
        }
    }

    static void check(String taskId, int tryNumber, String container) {
        check(taskId);
        if (tryNumber < 1) {
            throw new IllegalArgumentException("tryNumber " + tryNumber + " must be at least 1");
        }
        if (container == null || !CONTAINER.matcher(container).matches()) {
            throw new IllegalArgumentException("container '" + container + "' is not a container name: a DNS label"
                    + " (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)");
        }
    }

    static boolean isContainer(String name) {
        return CONTAINER.matcher(name).matches();
    }

    static String describe(String taskId, int tryNumber, String container) {
        return "the log of task " + taskId + " try " + tryNumber + " container " + container;
    }
}
