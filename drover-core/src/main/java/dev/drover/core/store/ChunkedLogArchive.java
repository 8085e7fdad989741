package dev.drover.core.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Reading an archive of gzip chunks ({@link LogChunks}), wherever the chunks are kept. */
abstract class ChunkedLogArchive implements LogArchive {
    private final Clock clock;

    ChunkedLogArchive(Clock clock) {
        this.clock = clock;
    }

    /** One archive as found: what it holds, and its chunks by number. */
    interface Found extends AutoCloseable {
        ArchivedLog log();

        int chunks();

        /** The gzip member {@code seq}; fails when the archive was replaced or dropped meanwhile. */
        byte[] chunk(int seq) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** The record of a log whose chunks were just written. */
    final ArchivedLog archived(String taskId, int tryNumber, String container, LogChunks.Written written) {
        return new ArchivedLog(
                taskId,
                tryNumber,
                container,
                written.originalBytes(),
                written.storedBytes(),
                written.cutBytes(),
                null,
                now());
    }

    /** The record of a log that could not be read; checks the names and that there is a reason. */
    final ArchivedLog unavailableLog(String taskId, int tryNumber, String container, String reason) {
        LogKeys.check(taskId, tryNumber, container);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must say why the log could not be read");
        }
        return new ArchivedLog(taskId, tryNumber, container, 0, 0, 0, reason, now());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The archive of (task, try, container), names already checked; null when there is none. */
    abstract @Nullable Found open(String taskId, int tryNumber, String container) throws IOException;

    @Override
    public Optional<ArchivedLog> find(String taskId, int tryNumber, String container) {
        LogKeys.check(taskId, tryNumber, container);
        try (Found found = open(taskId, tryNumber, container)) {
            return found == null ? Optional.empty() : Optional.of(found.log());
        } catch (IOException e) {
            throw new UncheckedIOException(LogKeys.describe(taskId, tryNumber, container) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void copyTo(String taskId, int tryNumber, String container, OutputStream out) throws IOException {
        LogKeys.check(taskId, tryNumber, container);
        try (Found found = open(taskId, tryNumber, container)) {
            if (found == null || !found.log().available()) {
                return;
            }
            for (int seq = 0; seq < found.chunks(); seq++) {
                out.write(Gzip.decompress(found.chunk(seq)));
            }
        }
    }

    @Override
    public List<String> tail(String taskId, int tryNumber, String container, int lines) {
        LogKeys.check(taskId, tryNumber, container);
        if (lines < 0) {
            throw new IllegalArgumentException("lines " + lines + " must not be negative");
        }
        try (Found found = open(taskId, tryNumber, container)) {
            if (found == null || !found.log().available() || lines == 0) {
                return List.of();
            }
            return lastLines(found, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(LogKeys.describe(taskId, tryNumber, container) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads chunks from the last one back until they hold a line end before the first of the
     * {@code lines} last lines (or the log's start): one or two chunks for ordinary lines.
     */
    private static List<String> lastLines(Found found, int lines) throws IOException {
        ArrayDeque<byte[]> texts = new ArrayDeque<>();
        long lineEnds = 0;
        int total = 0;
        boolean endsWithLineEnd = false;
        for (int seq = found.chunks() - 1; seq >= 0; seq--) {
            byte[] text = Gzip.decompress(found.chunk(seq));
            if (texts.isEmpty() && text.length > 0) {
                endsWithLineEnd = text[text.length - 1] == '\n';
            }
            if (text.length == 0) {
                continue;
            }
            texts.addFirst(text);
            total += text.length;
            for (byte b : text) {
                if (b == '\n') {
                    lineEnds++;
                }
            }
            // the log's own last line end ends the last line; one more is the start of the first wanted
            if (lineEnds - (endsWithLineEnd ? 1 : 0) >= lines) {
                break;
            }
        }
        byte[] joined = new byte[total];
        int at = 0;
        for (byte[] text : texts) {
            System.arraycopy(text, 0, joined, at, text.length);
            at += text.length;
        }
        int end = endsWithLineEnd ? total - 1 : total;
        List<String> out = new ArrayList<>(lines);
        int lineEnd = end;
        for (int i = end - 1; i >= -1 && out.size() < lines; i--) {
            if (i < 0 || joined[i] == '\n') {
                out.add(line(joined, i + 1, lineEnd));
                lineEnd = i;
            }
        }
        if (total == 0) {
            return List.of();
        }
        return out.reversed();
    }

    private static String line(byte[] text, int from, int to) {
        int end = to > from && text[to - 1] == '\r' ? to - 1 : to;
        return new String(text, from, end - from, StandardCharsets.UTF_8);
    }
}
