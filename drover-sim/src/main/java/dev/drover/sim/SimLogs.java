package dev.drover.sim;

/**
 * The generated logs of the {@code log-bytes[.c]=<size>} behaviour, for tests that check a log they
 * received: line {@code i} (from 0) is {@link #expectedLine(int)}, exactly {@value #LINE_BYTES} bytes
 * with its newline, so a log of {@code size} bytes has {@link #lineCount(long)} lines. Each line
 * names its index and its filler depends on the index, so a lost, repeated or garbled line shows.
 *
 * <pre>{@code
 * line 000000000 abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl
 * line 000000001 bcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm
 * }</pre>
 */
public final class SimLogs {
    /** Bytes per generated line, the newline included. */
    public static final int LINE_BYTES = 100;

    private static final String PREFIX = "line ";
    private static final int DIGITS = 9;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** The alphabet four times over: any window of filler length is a substring. */
    private static final String CYCLE = ALPHABET.repeat(4);

    private static final int FILLER = LINE_BYTES - 1 - PREFIX.length() - DIGITS - 1;

    private SimLogs() {}

    /** How many lines a {@code log-bytes} of {@code bytes} writes: {@code ceil(bytes / 100)}. */
    public static int lineCount(long bytes) {
        if (bytes < 0 || bytes > BehaviorGrammar.MAX_LOG_BYTES) {
            throw new IllegalArgumentException(
                    "log size must be 0.." + BehaviorGrammar.MAX_LOG_BYTES + ", was " + bytes);
        }
        return (int) ((bytes + LINE_BYTES - 1) / LINE_BYTES);
    }

    /**
     * Line {@code i} without its newline: {@code line }, the index as 9 digits, a space, then 84
     * characters of {@code a-z0-9} cycling from position {@code i % 36}.
     */
    public static String expectedLine(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("line index must be >= 0, was " + i);
        }
        StringBuilder b = new StringBuilder(LINE_BYTES - 1);
        b.append(PREFIX);
        String n = Integer.toString(i);
        for (int pad = n.length(); pad < DIGITS; pad++) {
            b.append('0');
        }
        b.append(n).append(' ');
        int from = i % ALPHABET.length();
        b.append(CYCLE, from, from + FILLER);
        return b.toString();
    }

    /** The index a generated line names (with or without newline or timestamp prefix), or -1 if none. */
    public static int indexOf(String line) {
        int at = line.indexOf(PREFIX);
        if (at < 0 || line.length() < at + PREFIX.length() + DIGITS) {
            return -1;
        }
        String digits = line.substring(at + PREFIX.length(), at + PREFIX.length() + DIGITS);
        for (int k = 0; k < DIGITS; k++) {
            if (!Character.isDigit(digits.charAt(k))) {
                return -1;
            }
        }
        return Integer.parseInt(digits);
    }
}
