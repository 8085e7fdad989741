package dev.drover.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Container logs kept after their pods are gone: one archive per (task, try, container). The text is
 * kept gzip-compressed in chunks of about 256 KiB, so a log is streamed in and out, never held
 * whole, and its tail is read from its last chunks only.
 *
 * <p>Two implementations, with the same behaviour: {@link TaskStore#logs()} (in the task database,
 * the default) and {@link LogArchives#directory} (files). Names are checked: a task id is 1-64
 * letters, digits, {@code .}, {@code _} or {@code -} (not starting with {@code .}), a try number is
 * at least 1, a container name is a DNS label. An id of a log never archived gives empty answers,
 * not an error.
 */
public interface LogArchive {

    /**
     * Streams one container's log of one try from {@code in} (read to its end, never held whole in
     * memory; not closed) and stores it, replacing an earlier archive of the same (task, try,
     * container). Readers see the earlier archive until this one is complete.
     *
     * <p>A log over {@code capBytes} keeps its head and its tail, about half the cap each, cut at
     * line boundaries, with a marker line between them such as {@code [drover: 40.0 MiB cut from the
     * middle of this log (cap 10.0 MiB)]}; {@link ArchivedLog#cutBytes()} tells exactly how many bytes
     * of the original were left out. The kept text (without the marker) is at most {@code capBytes}.
     *
     * @throws IOException when {@code in} fails; nothing is stored then (an earlier archive stays)
     */
    ArchivedLog store(String taskId, int tryNumber, String container, InputStream in, long capBytes) throws IOException;

    /**
     * Records that the log could not be read (the node is gone, the kubelet refused), replacing an
     * earlier archive, so readers learn the reason ({@link ArchivedLog#unavailable()}).
     */
    ArchivedLog unavailable(String taskId, int tryNumber, String container, String reason);

    Optional<ArchivedLog> find(String taskId, int tryNumber, String container);

    /** Every archived container of the task, all tries, ordered by try, then container name. */
    List<ArchivedLog> list(String taskId);

    /**
     * Streams the stored text (decompressed, with the cut marker if any) to {@code out} (not closed);
     * writes nothing for a log that is unavailable or not archived.
     */
    void copyTo(String taskId, int tryNumber, String container, OutputStream out) throws IOException;

    /**
     * The last {@code lines} lines of the stored text (UTF-8, without their line ends), read from the
     * last chunks only; empty for a log that is unavailable or not archived.
     */
    List<String> tail(String taskId, int tryNumber, String container, int lines);

    /** Drops every archive of the task (when the task itself is dropped). */
    void delete(String taskId);
}
