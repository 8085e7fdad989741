package dev.drover.bench;

import dev.drover.core.store.ArchivedLog;
import dev.drover.core.store.LogArchive;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link LogArchive} that passes everything to the real one and notes when each {@link #store}
 * began and ended (System.nanoTime): Drover archives a log through {@code store}, so this tells how
 * long archiving took and when it ran.
 */
final class TimedLogArchive implements LogArchive {
    /** One archive written: its moments and what was kept. */
    record Stored(String taskId, long startNanos, long endNanos, ArchivedLog log) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    private final LogArchive archive;
    private final ConcurrentLinkedQueue<Stored> stored = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong firstStart = new java.util.concurrent.atomic.AtomicLong(-1);

    private volatile Runnable onStart = () -> {};
    private volatile Runnable onEnd = () -> {};

    TimedLogArchive(LogArchive archive) {
        this.archive = archive;
    }

    /** Told (on the archiving thread) when a store() begins and when it has ended. */
    TimedLogArchive around(Runnable start, Runnable end) {
        this.onStart = start;
        this.onEnd = end;
        return this;
    }

    /** Every store() that completed, in order of completion. */
    List<Stored> stored() {
        return List.copyOf(stored);
    }

    /** When the first store() began (System.nanoTime), or −1. */
    long firstStart() {
        return firstStart.get();
    }

    @Override
    public ArchivedLog store(String taskId, int tryNumber, String container, InputStream in, long capBytes)
            throws IOException {
        long t0 = System.nanoTime();
        firstStart.compareAndSet(-1, t0);
        onStart.run();
        try {
            ArchivedLog a = archive.store(taskId, tryNumber, container, in, capBytes);
            stored.add(new Stored(taskId, t0, System.nanoTime(), a));
            return a;
        } finally {
            onEnd.run();
        }
    }

    @Override
    public ArchivedLog unavailable(String taskId, int tryNumber, String container, String reason) {
        return archive.unavailable(taskId, tryNumber, container, reason);
    }

    @Override
    public Optional<ArchivedLog> find(String taskId, int tryNumber, String container) {
        return archive.find(taskId, tryNumber, container);
    }

    @Override
    public List<ArchivedLog> list(String taskId) {
        return archive.list(taskId);
    }

    @Override
    public void copyTo(String taskId, int tryNumber, String container, OutputStream out) throws IOException {
        archive.copyTo(taskId, tryNumber, container, out);
    }

    @Override
    public List<String> tail(String taskId, int tryNumber, String container, int lines) {
        return archive.tail(taskId, tryNumber, container, lines);
    }

    @Override
    public void delete(String taskId) {
        archive.delete(taskId);
    }
}
