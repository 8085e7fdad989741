package dev.drover.core;

import java.util.List;

/**
 * Where a try's container logs go before its pod is let go: read from the pod and kept durably
 * ({@link PodLogArchiver}: the apiserver into the store's log archive). Blocking; called off the
 * worker, with bounded concurrency.
 */
interface LogKeeper {
    /**
     * Reads the container's whole log from the pod and keeps it for (task, try, container). A log
     * that cannot be read (the node is gone) is kept as unavailable, with the reason. Never throws
     * for the pod's sake: the task completes either way.
     */
    void keep(String taskId, int tryNumber, String namespace, String pod, String container);

    /** The kept log's last {@code lines} lines; empty when nothing is kept. */
    List<String> tail(String taskId, int tryNumber, String container, int lines);
}
