package dev.drover.bench;

import dev.drover.sim.SimLogs;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A sink that checks, line by line as it streams, a simulator-generated log ({@code log-bytes},
 * see {@link SimLogs}): every line must be the next one expected. Counts the lines and bytes
 * received and what went wrong: lines lost (a jump forward), repeated (a line at or before one
 * already seen) or garbled (not a generated line at all). Holds one line at a time, never the log.
 *
 * <p>{@code archived}: the text of a capped archive, which may have one marker line ({@code
 * [drover: … cut …]}) followed by a jump: that jump is the cut ({@link #cutLines}), not a loss.
 */
final class SimLogCheck extends OutputStream {
    /** What the check found. {@code complete}: every expected line came, once, in order, nothing else. */
    record Result(
            long bytes,
            long lines,
            long expectedLines,
            long lost,
            long repeated,
            long garbled,
            long markers,
            long cutLines,
            boolean complete) {}

    private static final int MAX_LINE = 1024;
    private final byte[] line = new byte[MAX_LINE];
    private final long expectedLines;
    private final boolean archived;
    private int len;
    private boolean overlong;
    private long bytes;
    private long lines;
    private long next;
    private long lost;
    private long repeated;
    private long garbled;
    private long markers;
    private long cutLines;
    private boolean afterMarker;

    SimLogCheck(long logBytes, boolean archived) {
        this.expectedLines = SimLogs.lineCount(logBytes);
        this.archived = archived;
    }

    @Override
    public void write(int b) {
        bytes++;
        if (b == '\n') {
            endLine();
        } else if (len < MAX_LINE) {
            line[len++] = (byte) b;
        } else {
            overlong = true;
        }
    }

    @Override
    public void write(byte[] b, int off, int n) {
        for (int i = off; i < off + n; i++) {
            write(b[i]);
        }
    }

    private void endLine() {
        String s = new String(line, 0, len, StandardCharsets.UTF_8);
        boolean tooLong = overlong;
        len = 0;
        overlong = false;
        if (archived && s.startsWith("[drover:")) {
            markers++;
            afterMarker = true;
            return;
        }
        lines++;
        int i = SimLogs.indexOf(s);
        if (tooLong || i < 0 || !s.equals(SimLogs.expectedLine(i))) {
            garbled++;
        } else if (i < next) {
            repeated++;
        } else {
            if (i > next) {
                if (afterMarker && markers == 1 && cutLines == 0) {
                    cutLines = i - next;
                } else {
                    lost += i - next;
                }
            }
            next = i + 1L;
        }
        afterMarker = false;
    }

    /** The findings so far; a partial last line counts as garbled, lines never reached as lost. */
    synchronized Result result() {
        long tail = len > 0 ? 1 : 0;
        long missingAtEnd = Math.max(0, expectedLines - next);
        long allLost = lost + missingAtEnd;
        boolean complete = allLost == 0 && repeated == 0 && garbled + tail == 0 && (archived || markers == 0);
        return new Result(bytes, lines, expectedLines, allLost, repeated, garbled + tail, markers, cutLines, complete);
    }
}
