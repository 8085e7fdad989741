package dev.drover.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed amount of work shared out to a few threads, a batch at a time, as fast as they go: the
 * loaders' pod creates, the raw creates, the task submitters. A failing batch stops its thread; the
 * first failure is thrown once every thread has ended.
 */
final class Workers {
    /** One batch: items {@code from} to {@code from + count} (exclusive). */
    interface Batch {
        void run(int from, int count) throws Exception;
    }

    private Workers() {}

    /**
     * Items {@code from} to {@code to} (exclusive) by {@code threads} threads from {@code kind} (its
     * name carries a counter), {@code batch} items per call; {@code what} names the workers in the error.
     */
    static void run(Thread.Builder kind, int threads, int from, int to, int batch, String what, Batch work)
            throws InterruptedException {
        int step = Math.max(1, batch);
        AtomicInteger next = new AtomicInteger(from);
        List<Throwable> failures = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            workers.add(kind.start(() -> {
                int i;
                while ((i = next.getAndAdd(step)) < to) {
                    try {
                        work.run(i, Math.min(step, to - i));
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                        return;
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(
                    failures.size() + " " + what + " failed; first: " + failures.get(0), failures.get(0));
        }
    }
}
