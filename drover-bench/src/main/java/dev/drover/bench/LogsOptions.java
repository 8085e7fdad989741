package dev.drover.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The log phases' options, shared by {@code logs} and {@code executor --logs}. */
final class LogsOptions {
    @Option(
            names = "--archive-tasks",
            defaultValue = "20",
            description = "Tasks of the archive-size phase, each writing --archive-log (default ${DEFAULT-VALUE}).")
    int archiveTasks;

    @Option(
            names = "--archive-log",
            defaultValue = "1MB",
            description = "Log size of each archive-size task, the simulator's log-bytes (default ${DEFAULT-VALUE}).")
    String archiveLog;

    @Option(
            names = "--archive-run",
            defaultValue = "2s",
            description = "How long each archive-size task runs (default ${DEFAULT-VALUE}).")
    String archiveRun;

    @Option(
            names = "--follow-log",
            defaultValue = "50MB",
            description = "Log size of the followed task (default ${DEFAULT-VALUE}).")
    String followLog;

    @Option(
            names = "--follow-run",
            defaultValue = "20s",
            description = "How long the followed task runs, writing its log evenly (default ${DEFAULT-VALUE}).")
    String followRun;

    @Option(
            names = "--gc-every-ms",
            defaultValue = "2000",
            description = "A full GC this often while the big log is followed and archived, to see the live heap"
                    + " (default ${DEFAULT-VALUE}).")
    long gcEveryMs;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg]i?b|b)?");

    /**
     * Sizes as the simulator's {@code log-bytes} spells them: 100B, 512KB, 50MB, 1GB (powers of
     * 1000), 512KiB, 50MiB, 1GiB (1024).
     */
    static long parseSize(String flag, String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + ": '" + value + "' is not a size; write e.g. 1MB, 50MB, 512KiB");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "kb" -> 1000L;
            case "mb" -> 1000L * 1000;
            case "gb" -> 1000L * 1000 * 1000;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            default -> 1L;
        };
        return (long) (n * factor);
    }

    /** The phases' options; {@code smoke}: 3 tasks of 1 MB, then 12 MB followed over 6 s. */
    LogsBench.Options options(boolean smoke, String stores, int nodes) {
        LogsBench.Options opts = smoke
                ? new LogsBench.Options(3, "1MB", "2s", "12MB", "6s", stores, 2000, nodes)
                : new LogsBench.Options(
                        archiveTasks, archiveLog, archiveRun, followLog, followRun, stores, gcEveryMs, nodes);
        opts.archiveLogBytes(); // bad sizes: an error naming the flag, before anything starts
        opts.followLogBytes();
        if (opts.archiveTasks() < 1) {
            throw new IllegalArgumentException("--archive-tasks must be at least 1");
        }
        for (String kind : opts.stores()) {
            if (!ExecutorBench.STORES.contains(kind)) {
                throw new IllegalArgumentException("store '" + kind + "' is not one of " + ExecutorBench.STORES);
            }
        }
        return opts;
    }
}
