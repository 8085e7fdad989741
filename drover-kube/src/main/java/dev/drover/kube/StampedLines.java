package dev.drover.kube;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * The body of a {@code pods/<p>/log?timestamps=true} answer, decoded as it streams: each line's
 * timestamp prefix is cut off and the rest copied to the sink, and the decoder remembers where it
 * is — the last line's timestamp, how many lines carried exactly that timestamp, and how many bytes
 * of an unfinished line went out — so that after {@link #resume()} the answer to a {@code sinceTime}
 * request (whole seconds: it starts at or before the last line) continues the log without a line
 * lost or repeated. Memory is one timestamp, whatever the length of the lines.
 */
final class StampedLines {
    /** Go's RFC3339Nano with an offset is at most 35 bytes; longer means there is no timestamp. */
    private static final int MAX_STAMP = 40;

    private final OutputStream out;

    // Where the log is, across connections.
    private @Nullable Instant last;
    private int atLast;
    private boolean lineOpen;
    private long openBytes;
    private long lines;
    private long delivered;

    // What this connection must skip: what earlier ones delivered.
    private boolean filtering;
    private @Nullable Instant resumeAt;
    private int resumeCount;
    private boolean resumeOpen;
    private long resumeOpenBytes;
    private int seenAtResume;

    // The line being read.
    private final byte[] stamp = new byte[MAX_STAMP];
    private int stampLength;
    private boolean inContent;
    private boolean delivering;
    private boolean tracked;
    private long skipBytes;

    StampedLines(OutputStream out) {
        this.out = out;
    }

    /** A new answer begins (after a dropped one): what was delivered is skipped in it. */
    void resume() {
        stampLength = 0;
        inContent = false;
        filtering = last != null;
        resumeAt = last;
        resumeCount = atLast;
        resumeOpen = lineOpen;
        resumeOpenBytes = openBytes;
        seenAtResume = 0;
    }

    /** The timestamp of the last line delivered (or begun), for the next request's {@code sinceTime}. */
    @Nullable
    Instant lastTimestamp() {
        return last;
    }

    /** Lines delivered (or begun). */
    long lines() {
        return lines;
    }

    /** Bytes written to the sink: what the log moved on by. */
    long delivered() {
        return delivered;
    }

    /** Decodes bytes of the answer; the sink's failures are thrown. */
    void feed(byte[] buf, int off, int len) throws IOException {
        int end = off + len;
        while (off < end) {
            if (!inContent) {
                byte b = buf[off];
                if (b == ' ') {
                    off++;
                    begin(true);
                } else if (b == '\n') {
                    begin(false); // the newline is the line's content
                } else if (stampLength == MAX_STAMP) {
                    begin(false); // no timestamp: the bytes so far are content
                } else {
                    stamp[stampLength++] = b;
                    off++;
                }
                continue;
            }
            int newline = indexOf(buf, off, end, (byte) '\n');
            int stop = newline < 0 ? end : newline + 1;
            if (skipBytes > 0) {
                int n = (int) Math.min(skipBytes, stop - off);
                skipBytes -= n;
                off += n;
            }
            if (delivering && stop > off) {
                out.write(buf, off, stop - off);
                delivered += stop - off;
                if (tracked) {
                    openBytes += stop - off;
                }
            }
            off = stop;
            if (newline >= 0) {
                inContent = false;
                stampLength = 0;
                if (delivering && tracked) {
                    lineOpen = false;
                }
            }
        }
    }

    /** The answer ended normally: a last stamp without content goes out as it came. */
    void end() throws IOException {
        if (!inContent && stampLength > 0) {
            out.write(stamp, 0, stampLength);
            delivered += stampLength;
            stampLength = 0;
        }
    }

    /** The timestamp is read (up to the space, if {@code spaced}): deliver or skip this line. */
    private void begin(boolean spaced) throws IOException {
        inContent = true;
        skipBytes = 0;
        Instant t = parse(stamp, stampLength);
        if (t == null) {
            // Not a timestamped line: copied whole, and not counted (it cannot be found again).
            delivering = true;
            tracked = false;
            out.write(stamp, 0, stampLength);
            delivered += stampLength;
            if (spaced) {
                out.write(' ');
                delivered++;
            }
            return;
        }
        tracked = true;
        if (filtering) {
            int order = t.compareTo(resumeAt);
            if (order < 0) {
                delivering = false; // delivered before
                return;
            }
            if (order == 0) {
                seenAtResume++;
                if (seenAtResume < resumeCount || (seenAtResume == resumeCount && !resumeOpen)) {
                    delivering = false; // delivered before
                    return;
                }
                if (seenAtResume == resumeCount) {
                    delivering = true; // the line the drop cut: its rest
                    skipBytes = resumeOpenBytes;
                    return;
                }
            }
            filtering = false; // past everything delivered: from here on all is new
        }
        if (t.equals(last)) {
            atLast++;
        } else {
            last = t;
            atLast = 1;
        }
        lineOpen = true;
        openBytes = 0;
        lines++;
        delivering = true;
    }

    static @Nullable Instant parse(byte[] b, int len) {
        if (len < 20 || b[0] < '0' || b[0] > '9') {
            return null;
        }
        try {
            return OffsetDateTime.parse(new String(b, 0, len, StandardCharsets.US_ASCII))
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
