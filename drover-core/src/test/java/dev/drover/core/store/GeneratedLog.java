package dev.drover.core.store;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A container log made up line by line as it is read, never held whole: lines like a batch job's
 * (time, level, thread, logger, a message with numbers, now and then a stack trace), each a pure
 * function of its number, so a test can tell what any line was after the stream is gone.
 */
final class GeneratedLog extends InputStream {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final String[] LEVELS = {"INFO ", "INFO ", "INFO ", "DEBUG", "INFO ", "WARN ", "INFO ", "DEBUG"};
    private static final String[] LOGGERS = {
        "com.example.etl.BatchReader",
        "com.example.etl.RowMapper",
        "com.example.etl.Writer",
        "org.postgresql.Driver",
        "com.example.etl.Checkpoint"
    };

    private final long minBytes;
    private final boolean lastLineEnd;
    private byte[] line = new byte[0];
    private int at;
    private long lines;
    private long produced;

    /** At least {@code minBytes}, whole lines; {@code lastLineEnd} false drops the last line's newline. */
    GeneratedLog(long minBytes, boolean lastLineEnd) {
        this.minBytes = minBytes;
        this.lastLineEnd = lastLineEnd;
    }

    /** Line {@code n} (from 0), without its newline. */
    static String line(long n) {
        long h = mix(n);
        String time = START.plusMillis(n * 37 + (h & 31)).toString();
        String level = LEVELS[(int) (h >>> 8 & 7)];
        String logger = LOGGERS[(int) ((h >>> 12 & 0xff) % LOGGERS.length)];
        int worker = (int) (h >>> 20 & 7);
        return switch ((int) (h >>> 24 & 15)) {
            case 0 ->
                time + " WARN  [worker-" + worker + "] " + logger + " - retrying batch " + (n / 50)
                        + " after SQLTransientConnectionException: connection reset (attempt " + (h >>> 28 & 3) + ")";
            case 1 ->
                time + " ERROR [worker-" + worker + "] " + logger + " - row " + n + " rejected\n"
                        + "java.lang.NumberFormatException: For input string: \"" + Long.toHexString(h >>> 32) + "\"\n"
                        + "\tat java.base/java.lang.Long.parseLong(Long.java:709)\n"
                        + "\tat com.example.etl.RowMapper.map(RowMapper.java:" + (40 + (h >>> 40 & 63)) + ")\n"
                        + "\tat com.example.etl.BatchReader.next(BatchReader.java:118)";
            default ->
                time + " " + level + " [worker-" + worker + "] " + logger + " - batch " + (n / 50) + " row "
                        + n + ": " + (h >>> 32 & 1023) + " fields mapped in " + (h >>> 44 & 255) + " us, offset "
                        + (n * 4096 + (h >>> 52));
        };
    }

    /** Lines produced so far (all of them once the stream ended). */
    long lines() {
        return lines;
    }

    long bytes() {
        return produced;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (at == line.length) {
            if (produced >= minBytes) {
                return -1;
            }
            String text = line(lines++);
            line = text.getBytes(StandardCharsets.UTF_8);
            byte[] withEnd = new byte[line.length + 1];
            System.arraycopy(line, 0, withEnd, 0, line.length);
            withEnd[line.length] = '\n';
            boolean last = produced + withEnd.length >= minBytes;
            line = last && !lastLineEnd ? line : withEnd;
            at = 0;
        }
        int n = Math.min(len, line.length - at);
        System.arraycopy(line, at, b, off, n);
        at += n;
        produced += n;
        return n;
    }

    private static long mix(long n) {
        long z = n * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
