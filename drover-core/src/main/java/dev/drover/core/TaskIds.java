package dev.drover.core;

import java.security.SecureRandom;

/**
 * Task ids: 14 lower-case base-32 characters, time-ordered (ms since epoch, then random), valid in
 * pod names and label values.
 */
public final class TaskIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {}

    /**
     * The pod of a task's try: {@code <name>-<id>-<try>}. Deterministic, so a create repeated after a
     * crash answers 409 and finds the pod it made.
     */
    public static String podName(String taskName, String taskId, int tryNumber) {
        return taskName + "-" + taskId + "-" + tryNumber;
    }

    /**
     * {@code n} ids from {@code draw}, none twice: ids drawn in the same millisecond share their time
     * part and differ only in 25 random bits, so a batch of a hundred collides about once in 7,000
     * batches; a repeat is drawn again (a batch keyed by id would otherwise lose a task silently).
     */
    static java.util.List<String> distinct(int n, java.util.function.Supplier<String> draw) {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        while (ids.size() < n) {
            ids.add(draw.get());
        }
        return java.util.List.copyOf(ids);
    }

    public static String next() {
        long time = System.currentTimeMillis();
        char[] out = new char[14];
        for (int i = 8; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        for (int i = 9; i < 14; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(32)];
        }
        return new String(out);
    }
}
