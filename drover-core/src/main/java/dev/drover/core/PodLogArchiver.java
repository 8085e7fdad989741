package dev.drover.core;

import dev.drover.core.store.LogArchive;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LogKeeper} on the apiserver and a {@link LogArchive}: one GET of the container's log,
 * streamed into the archive as it arrives (capped per container, head and tail kept). A log that
 * cannot be read is archived as unavailable, with the reason, and the task completes anyway.
 */
final class PodLogArchiver implements LogKeeper {
    private static final Logger log = LoggerFactory.getLogger(PodLogArchiver.class);
    private final PodReads reads;
    private final LogArchive archive;
    private final long capBytes;
    /** Read into memory before the store is asked (per read in flight; see {@code TaskEngine}'s log reads). */
    static final int BUFFERED = 1 << 20;
    /** Big logs streaming into the store at once: each holds a pooled connection meanwhile. */
    private final java.util.concurrent.Semaphore streaming = new java.util.concurrent.Semaphore(2);

    PodLogArchiver(PodReads reads, LogArchive archive, long capBytes) {
        this.reads = reads;
        this.archive = archive;
        this.capBytes = capBytes;
    }

    @Override
    public void keep(String taskId, int tryNumber, String namespace, String pod, String container) {
        try {
            reads.copyLog(namespace, pod, container, in -> {
                // A log that fits in the buffer is read whole before the store is asked: its
                // connection is held for the write only, not for the kubelet's answer.
                byte[] first = in.readNBytes(BUFFERED);
                if (first.length < BUFFERED) {
                    archive.store(taskId, tryNumber, container, new java.io.ByteArrayInputStream(first), capBytes);
                    return;
                }
                // A big log streams into the store, holding a connection as long: a few at a time.
                streaming.acquireUninterruptibly();
                try {
                    archive.store(
                            taskId,
                            tryNumber,
                            container,
                            new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(first), in),
                            capBytes);
                } finally {
                    streaming.release();
                }
            });
        } catch (RuntimeException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().toString() : e.getMessage();
            log.info(
                    "task {} try {}: log of {}/{} container {} unavailable: {}",
                    taskId,
                    tryNumber,
                    namespace,
                    pod,
                    container,
                    why);
            try {
                archive.unavailable(taskId, tryNumber, container, why == null ? e.toString() : why);
            } catch (RuntimeException stored) {
                log.warn(
                        "task {}: could not record that the log of {} is unavailable: {}",
                        taskId,
                        container,
                        stored.toString());
            }
        }
    }

    @Override
    public List<String> tail(String taskId, int tryNumber, String container, int lines) {
        try {
            return archive.tail(taskId, tryNumber, container, lines);
        } catch (RuntimeException e) {
            log.warn("task {}: could not read the archived log of {}: {}", taskId, container, e.toString());
            return List.of();
        }
    }
}
