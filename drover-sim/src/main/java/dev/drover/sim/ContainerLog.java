package dev.drover.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The log of one simulated container: lines spread evenly over the run (the first at start, each
 * at least a nanosecond after the one before, so timestamps are distinct). The lines are fixed
 * ({@code log=}) or generated from their index ({@code log-bytes=}, see {@link SimLogs}), never held
 * whole. Written by the simulator's loop, read by the kubelet server's threads.
 */
final class ContainerLog {
    private final String container;
    private final int size;
    private final IntFunction<String> lines;
    private volatile Instant startedAt;
    private volatile long stepNanos;
    private volatile String waitingReason = "ContainerCreating";
    private final CompletableFuture<Instant> finished = new CompletableFuture<>();

    ContainerLog(String container, List<String> lines) {
        this.container = container;
        List<String> fixed = List.copyOf(lines);
        this.size = fixed.size();
        this.lines = fixed::get;
    }

    private ContainerLog(String container, int size, IntFunction<String> lines) {
        this.container = container;
        this.size = size;
        this.lines = lines;
    }

    /** A log of about {@code bytes} bytes of {@link SimLogs} lines. */
    static ContainerLog generated(String container, long bytes) {
        return new ContainerLog(container, SimLogs.lineCount(bytes), SimLogs::expectedLine);
    }

    /** The log a container with {@code plan} writes. */
    static ContainerLog of(String container, Behavior.ContainerPlan plan) {
        return plan.logBytes() == Behavior.NO_GENERATED_LOG
                ? new ContainerLog(container, plan.logLines())
                : generated(container, plan.logBytes());
    }

    String container() {
        return container;
    }

    void waiting(String reason) {
        this.waitingReason = reason;
    }

    String waitingReason() {
        return waitingReason;
    }

    void start(Instant at, Duration run) {
        this.stepNanos = size == 0 ? 0 : Math.max(1, run.toNanos() / size);
        this.startedAt = at;
    }

    /** Ends the log at {@code at}: lines due later are never written (the container was killed). */
    void finish(Instant at) {
        finished.complete(at);
    }

    /** Ends the log of a container that exited by itself at {@code at}: every line is written. */
    void complete(Instant at) {
        Instant last = size == 0 || startedAt == null ? at : lineTime(size - 1);
        finish(last.isAfter(at) ? last : at);
    }

    boolean started() {
        return startedAt != null;
    }

    int size() {
        return size;
    }

    String line(int i) {
        return lines.apply(i);
    }

    Instant lineTime(int i) {
        return startedAt.plusNanos(stepNanos * i);
    }

    /** When the container terminated, or null while it runs. */
    Instant finishedAt() {
        return finished.getNow(null);
    }

    /** Completes when the container terminates. */
    CompletableFuture<Instant> finished() {
        return finished;
    }

    /** Whether line {@code i} has been written by {@code now}. */
    boolean written(int i, Instant now) {
        if (!started() || i >= size) {
            return false;
        }
        Instant t = lineTime(i);
        Instant end = finishedAt();
        return !t.isAfter(now) && (end == null || !t.isAfter(end));
    }

    /** How many lines have been written by {@code now}: computed, not counted. */
    int writtenBy(Instant now) {
        if (!started() || size == 0) {
            return 0;
        }
        Instant end = finishedAt();
        Instant t = end != null && end.isBefore(now) ? end : now;
        if (t.isBefore(startedAt)) {
            return 0;
        }
        long elapsed = Duration.between(startedAt, t).toNanos();
        return (int) Math.min(size, stepNanos == 0 ? size : elapsed / stepNanos + 1);
    }

    /** The index of the first line written at or after {@code since} (may be {@link #size()}). */
    int firstAtOrAfter(Instant since) {
        if (!started() || !since.isAfter(startedAt)) {
            return 0;
        }
        if (stepNanos == 0) {
            return size;
        }
        long elapsed = Duration.between(startedAt, since).toNanos();
        long i = (elapsed + stepNanos - 1) / stepNanos;
        return (int) Math.min(size, i);
    }

    /** Whether no line after {@code i - 1} will ever be written. */
    boolean exhaustedFrom(int i) {
        Instant end = finishedAt();
        return end != null && (i >= size || lineTime(i).isAfter(end));
    }
}
