package dev.drover.bench;

import java.util.Arrays;

/** Percentiles of nanosecond samples, in milliseconds, for the executor benchmark. */
final class ExecutorStats {
    /** p50/p90/p99/max in ms over {@code count} samples; NaN when there are none. */
    record Percentiles(long count, double p50, double p90, double p99, double max, double min) {}

    private ExecutorStats() {}

    static Percentiles percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Percentiles(n, at(s, 0.50), at(s, 0.90), at(s, 0.99), s[n - 1] / 1e6, s[0] / 1e6);
    }

    /** Nearest-rank percentile. */
    private static double at(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** The machine's 1-minute load average, or NaN where /proc is missing. */
    static double loadAverage() {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"));
            return Double.parseDouble(s.split("\\s+")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
