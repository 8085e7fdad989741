package dev.drover.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task changes every watcher of this server sees, read from the store (so every replica behind
 * one Service serves the same stream, and a change id means the same change on each). One poller
 * reads the store; watchers wait here for changes after their cursor, served from a window of
 * recent changes in memory, or from the store when they resume from further back.
 *
 * <p>Change ids are the store's transition ids. On PostgreSQL an id is taken when a transaction
 * inserts, not when it commits, so a lower id can become visible after a higher one. The feed
 * delivers ids in order only: after a missing id it holds the higher ones back until the gap fills
 * or is {@link #gapWait} old (then the id belonged to a transaction that rolled back, or one so late
 * that its watchers read the task's state again anyway).
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    /** Where changes come from: the store's transitions after an id, in id order. */
    interface Source {
        List<Change> after(long id, int limit);

        long lastId();
    }

    private final Source source;
    private final Duration poll;
    private final Duration gapWait;
    private final int window;
    private final LongSupplier nanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private long delivered; // every change up to this id is in order (in `recent`, or older)
    private long gapSince = -1; // nanos when the first missing id after `delivered` was first seen
    private volatile boolean closed;
    private final Thread poller;

    ChangeFeed(Source source, Duration poll, Duration gapWait, int window) {
        this(source, poll, gapWait, window, System::nanoTime);
    }

    ChangeFeed(Source source, Duration poll, Duration gapWait, int window, LongSupplier nanos) {
        this.source = source;
        this.poll = poll;
        this.gapWait = gapWait;
        this.window = window;
        this.nanos = nanos;
        this.delivered = source.lastId();
        this.poller = Thread.ofVirtual().name("change-feed").unstarted(this::run);
    }

    ChangeFeed start() {
        poller.start();
        return this;
    }

    /** The id of the last change in order: where a watcher that asks for "from now on" starts. */
    long now() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            try {
                boolean more = pollOnce();
                if (!more) {
                    Thread.sleep(poll);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("reading task changes failed (retrying in 1 s): {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Reads what the store has after the cursor; true when a full page came (read again at once). */
    boolean pollOnce() {
        int page = 1000;
        List<Change> read = source.after(delivered, page);
        List<Change> inOrder = new ArrayList<>();
        long cursor = delivered;
        for (Change c : read) {
            if (c.id() != cursor + 1 && !gapOld()) {
                break; // a missing id: wait for it
            }
            inOrder.add(c);
            cursor = c.id();
            gapSince = -1;
        }
        lock.lock();
        try {
            if (inOrder.size() < read.size() && gapSince < 0) {
                gapSince = nanos.getAsLong();
            }
            if (!inOrder.isEmpty()) {
                recent.addAll(inOrder);
                while (recent.size() > window) {
                    recent.removeFirst();
                }
                delivered = cursor;
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return read.size() == page && inOrder.size() == read.size();
    }

    private boolean gapOld() {
        return gapSince >= 0 && nanos.getAsLong() - gapSince >= gapWait.toNanos();
    }

    /**
     * Changes after {@code cursor} (up to {@code limit}), waiting up to {@code wait} for one; empty
     * when none came. A cursor older than the window in memory is served from the store.
     */
    List<Change> after(long cursor, int limit, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (!closed) {
                long oldest =
                        recent.isEmpty() ? delivered + 1 : recent.peekFirst().id();
                if (cursor < oldest - 1) {
                    long upTo = delivered;
                    lock.unlock();
                    try {
                        return source.after(cursor, limit).stream()
                                .filter(c -> c.id() <= upTo)
                                .toList();
                    } finally {
                        lock.lock();
                    }
                }
                if (cursor < delivered) {
                    List<Change> out = new ArrayList<>();
                    for (Change c : recent) {
                        if (c.id() > cursor) {
                            out.add(c);
                            if (out.size() == limit) {
                                break;
                            }
                        }
                    }
                    return out;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                arrived.awaitNanos(left);
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
