package dev.drover.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads a log to its end and hands it on as gzip chunks of about {@link #CHUNK} bytes of text each,
 * in order, keeping the head and the tail of a log over its cap with a marker line between them.
 *
 * <p>The head (up to half the cap, cut after its last whole line) is handed on as it is read. What
 * follows may still be cut, so it waits in a ring of compressed chunks, from which the oldest chunk
 * is dropped as soon as the newer ones hold the rest of the cap; at the end the first kept chunk is
 * cut at the start of a line, prefixed with the marker and compressed again. <b>Memory</b>: one
 * chunk of text, plus the ring: the compressed form of less than {@code capBytes - head + CHUNK}
 * bytes of text, so at most about {@code capBytes / 2 + 2 * CHUNK} bytes even for text that does
 * not compress, and typically a tenth of that for logs.
 */
final class LogChunks {
    /** Text per chunk: a tail reads one or two of them. */
    static final int CHUNK = 256 * 1024;

    interface Sink {
        void chunk(int seq, byte[] gzip) throws IOException;
    }

    /** What was handed on: {@code chunks} chunks of {@code storedBytes} together. */
    record Written(long originalBytes, long storedBytes, long cutBytes, int chunks) {}

    private record Compressed(byte[] gzip, int textBytes, byte lastByte) {}

    private final Sink sink;
    private final Gzip gzip;
    private int chunks;
    private long storedBytes;

    private LogChunks(Sink sink, Gzip gzip) {
        this.sink = sink;
        this.gzip = gzip;
    }

    /**
     * Reads {@code in} to its end and hands its chunks to {@code sink}; an empty log is one empty
     * chunk (so a file of chunks is a valid gzip file).
     */
    static Written write(InputStream in, long capBytes, Sink sink) throws IOException {
        if (capBytes < 1) {
            throw new IllegalArgumentException("capBytes " + capBytes + " must be at least 1");
        }
        try (Gzip gzip = new Gzip()) {
            return new LogChunks(sink, gzip).run(in, capBytes);
        }
    }

    private Written run(InputStream in, long cap) throws IOException {
        long headLimit = cap / 2;
        byte[] buf = new byte[CHUNK];
        int fill = 0;
        long original = 0;
        long head = 0; // bytes handed on as the head
        byte lastHeadByte = '\n';

        // The head: handed on chunk by chunk; the buffer never reaches past the head limit.
        while (true) {
            int room = (int) Math.min(CHUNK - fill, headLimit - head - fill);
            if (room == 0 && head + fill == headLimit) {
                break;
            }
            if (room == 0) {
                emit(buf, 0, fill);
                head += fill;
                lastHeadByte = buf[fill - 1];
                fill = 0;
                continue;
            }
            int n = in.read(buf, fill, room);
            if (n < 0) { // all of it is head
                if (fill > 0 || chunks == 0) {
                    emit(buf, 0, fill);
                }
                return new Written(original, storedBytes, 0, chunks);
            }
            fill += n;
            original += n;
        }
        // The head is full: it ends after its last whole line (inside a line only when the buffer
        // holds no line end, a line longer than a chunk); the rest begins the tail.
        int cut = lastIndexOf(buf, fill, (byte) '\n') + 1;
        if (cut == 0) {
            cut = fill;
        }
        if (cut > 0) {
            emit(buf, 0, cut);
            head += cut;
            lastHeadByte = buf[cut - 1];
        }
        System.arraycopy(buf, cut, buf, 0, fill - cut);
        fill -= cut;

        // The tail: the newest compressed chunks that hold at least the rest of the cap.
        long tailLimit = cap - head;
        ArrayDeque<Compressed> ring = new ArrayDeque<>();
        long ringBytes = 0;
        long dropped = 0;
        byte lastDroppedByte = '\n';
        while (true) {
            int n = fill == CHUNK ? 0 : in.read(buf, fill, CHUNK - fill);
            if (n > 0) {
                fill += n;
                original += n;
            }
            if (fill == CHUNK || (n < 0 && fill > 0)) {
                ring.addLast(new Compressed(gzip.compress(buf, 0, fill), fill, buf[fill - 1]));
                ringBytes += fill;
                fill = 0;
                while (ringBytes - ring.getFirst().textBytes() >= tailLimit) {
                    Compressed old = ring.removeFirst();
                    ringBytes -= old.textBytes();
                    dropped += old.textBytes();
                    lastDroppedByte = old.lastByte();
                }
            }
            if (n < 0) {
                break;
            }
        }
        if (head + dropped + ringBytes <= cap) { // within the cap after all: nothing is cut
            for (Compressed c : ring) {
                hand(c.gzip());
            }
            if (chunks == 0) {
                emit(buf, 0, 0);
            }
            return new Written(original, storedBytes, 0, chunks);
        }

        // Over the cap: the tail starts at the first line start within its last tailLimit bytes,
        // which lie in the ring's first chunk (else that chunk would have been dropped).
        Compressed first = ring.removeFirst();
        byte[] text = Gzip.decompress(first.gzip());
        int from = (int) (ringBytes - tailLimit);
        int start = from;
        byte before = dropped > 0 ? lastDroppedByte : lastHeadByte;
        for (int p = from; p <= text.length; p++) {
            if ((p == 0 ? before : text[p - 1]) == '\n') {
                start = p;
                break;
            }
        }
        long tail = ringBytes - start;
        long cutBytes = original - head - tail;
        String marker = (head > 0 && lastHeadByte != '\n' ? "\n" : "") + "[drover: " + size(cutBytes)
                + " cut from the middle of this log (cap " + size(cap) + ")]\n";
        byte[] markerBytes = marker.getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(markerBytes, markerBytes.length + text.length - start);
        System.arraycopy(text, start, joined, markerBytes.length, text.length - start);
        emit(joined, 0, joined.length);
        for (Compressed c : ring) {
            hand(c.gzip());
        }
        return new Written(original, storedBytes, cutBytes, chunks);
    }

    private void emit(byte[] text, int offset, int length) throws IOException {
        hand(gzip.compress(text, offset, length));
    }

    private void hand(byte[] member) throws IOException {
        sink.chunk(chunks++, member);
        storedBytes += member.length;
    }

    private static int lastIndexOf(byte[] bytes, int length, byte b) {
        for (int i = length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** {@code 40.0 MiB}, {@code 512.0 KiB}, {@code 300 bytes}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
