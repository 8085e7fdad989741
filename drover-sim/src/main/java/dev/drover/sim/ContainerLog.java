package dev.drover.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The log of one simulated container: fixed lines, spread evenly over the run (the first at
 * start). Written by the simulator's loop, read by the kubelet server's threads.
 */
final class ContainerLog {
    private final String container;
    private final List<String> lines;
    private volatile Instant startedAt;
    private volatile long stepNanos;
    private volatile String waitingReason = "ContainerCreating";
    private final CompletableFuture<Instant> finished = new CompletableFuture<>();

    ContainerLog(String container, List<String> lines) {
        this.container = container;
        this.lines = List.copyOf(lines);
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
        this.stepNanos = lines.isEmpty() ? 0 : run.toNanos() / lines.size();
        this.startedAt = at;
    }

    /** Ends the log at {@code at}: lines due later are never written (the container was killed). */
    void finish(Instant at) {
        finished.complete(at);
    }

    boolean started() {
        return startedAt != null;
    }

    int size() {
        return lines.size();
    }

    String line(int i) {
        return lines.get(i);
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
        if (!started() || i >= lines.size()) {
            return false;
        }
        Instant t = lineTime(i);
        Instant end = finishedAt();
        return !t.isAfter(now) && (end == null || !t.isAfter(end));
    }

    /** Whether no line after {@code i - 1} will ever be written. */
    boolean exhaustedFrom(int i) {
        Instant end = finishedAt();
        return end != null && (i >= lines.size() || lineTime(i).isAfter(end));
    }
}
