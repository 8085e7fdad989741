package dev.drover.core;

import dev.drover.kube.PodView;
import java.util.List;
import java.util.Optional;

/** Direct reads of one pod, off the watches ({@link PodReader} on the apiserver). Both block. */
interface PodReads {
    /** The pod by name, whoever owns it now; empty when it does not exist. Throws when it cannot tell. */
    Optional<PodView> lookUp(String namespace, String name);

    /**
     * The pods of {@code namespace} that match {@code labelSelector}, read from the apiserver's
     * watch cache (no quorum read); throws when it cannot tell.
     */
    List<PodView> list(String namespace, String labelSelector);

    /**
     * Streams the container's whole log, as it is now, to {@code sink} (never held whole in
     * memory); throws when the log cannot be read.
     */
    void copyLog(String namespace, String pod, String container, LogSink sink);

    /** Takes a log body while it streams in. */
    @FunctionalInterface
    interface LogSink {
        void accept(java.io.InputStream in) throws java.io.IOException;
    }

    /** The container's last {@code lines} log lines; throws when the log cannot be read. */
    List<String> logTail(String namespace, String pod, String container, int lines);
}
