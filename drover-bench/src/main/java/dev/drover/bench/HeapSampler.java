package dev.drover.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's heap over a stretch of time, three ways: heap used sampled every few milliseconds (the
 * peak, garbage included); heap used right after each GC the JVM ran (from the collectors'
 * notifications); and the live heap — used right after a full GC this sampler forces every {@code
 * fullGcEvery} — which is what a component really holds. Windows of time are asked for afterwards
 * ({@link #window}).
 */
final class HeapSampler implements AutoCloseable {
    /** Peaks in a window, bytes (−1: no point in it). */
    record Window(long sampledPeak, long afterGcPeak, long livePeak, int gcs, int liveSamples) {}

    private record Point(long nanos, long used, char kind) {}

    private static final char SAMPLE = 's';
    private static final char AFTER_GC = 'g';
    private static final char LIVE = 'l';

    private final ConcurrentLinkedQueue<Point> points = new ConcurrentLinkedQueue<>();
    private final List<Runnable> unregister = new ArrayList<>();
    private final Thread sampler;
    private final Thread fullGcs;
    private final long slowGcNanos;
    private volatile long gcNanos;
    private volatile boolean stop;

    HeapSampler(Duration sampleEvery, Duration fullGcEvery) {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        NotificationListener onGc = (n, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            points.add(new Point(System.nanoTime(), used, AFTER_GC));
        };
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(onGc, null, null);
                unregister.add(() -> {
                    try {
                        emitter.removeNotificationListener(onGc);
                    } catch (Exception ignored) {
                        // gone with the JVM
                    }
                });
            }
        }
        sampler = Thread.ofPlatform().name("bench-heap-sampler").daemon().unstarted(() -> {
            while (!stop) {
                points.add(new Point(System.nanoTime(), used(), SAMPLE));
                sleep(sampleEvery);
            }
        });
        this.slowGcNanos = fullGcEvery.toNanos();
        this.gcNanos = slowGcNanos;
        fullGcs = Thread.ofPlatform().name("bench-heap-full-gc").daemon().unstarted(() -> {
            long last = System.nanoTime();
            while (!stop) {
                sleep(Duration.ofMillis(10));
                if (!stop && System.nanoTime() - last >= gcNanos) {
                    System.gc();
                    last = System.nanoTime();
                    points.add(new Point(last, used(), LIVE));
                }
            }
        });
        sampler.start();
        fullGcs.start();
    }

    /**
     * Full GCs every {@code every} instead (for a short stretch that must get several live points,
     * e.g. while an archive is written); null: back to the interval given at the start.
     */
    void fullGcEvery(Duration every) {
        gcNanos = every == null ? slowGcNanos : every.toNanos();
    }

    /** The live heap now: used after two full GCs (the baseline to compare a window with). */
    static long liveNow() {
        System.gc();
        System.gc();
        return used();
    }

    private static long used() {
        MemoryUsage u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return u.getUsed();
    }

    /** The peaks from {@code fromNanos} to {@code toNanos} (System.nanoTime). */
    Window window(long fromNanos, long toNanos) {
        long sampled = -1;
        long afterGc = -1;
        long live = -1;
        int gcs = 0;
        int lives = 0;
        for (Point p : points) {
            if (p.nanos() < fromNanos || p.nanos() > toNanos) {
                continue;
            }
            switch (p.kind()) {
                case SAMPLE -> sampled = Math.max(sampled, p.used());
                case AFTER_GC -> {
                    afterGc = Math.max(afterGc, p.used());
                    gcs++;
                }
                default -> {
                    live = Math.max(live, p.used());
                    lives++;
                }
            }
        }
        return new Window(sampled, afterGc, live, gcs, lives);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        sampler.interrupt();
        fullGcs.interrupt();
        sampler.join(5000);
        fullGcs.join(5000);
        unregister.forEach(Runnable::run);
    }
}
