package dev.drover.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one contender's initial sync in this JVM and measures it: a warm-up sync of a small
 * namespace (class loading, JIT, client caches), full GCs, the measured sync, full GCs again. The
 * contenders are {@link Sync}s, one file each: {@link OursSync}, {@link Fabric8Sync}, {@link
 * ClientJavaSync}, {@link RawGetSync}.
 */
final class ContenderRun {
    private ContenderRun() {}

    /** Where the apiserver is and how to sync. */
    record Target(String server, String token, int pageSize, double qps, int burst) {}

    /** One contender's sync of a set of namespaces, started, awaited and closed. */
    interface Sync extends AutoCloseable {
        void start() throws Exception;

        /** Waits until the store is complete; false on timeout. */
        boolean awaitSynced(Duration timeout) throws Exception;

        /** Objects stored, -1 when nothing is stored. */
        int size();

        default long bodyBytes() {
            return -1;
        }

        default Map<String, Long> ownCounters() {
            return Map.of();
        }

        @Override
        void close();
    }

    static ContenderResult run(
            Contender c, Target t, List<String> namespaces, List<String> warmNamespaces, int expected, Duration timeout)
            throws Exception {
        try (KubeHttp admin = new KubeHttp(t.server(), t.token(), "drover-bench-metrics")) {
            long idleWatches = ApiServerMetrics.podRequests(admin).watchesOpen();
            if (!warmNamespaces.isEmpty()) {
                try (Sync warm = open(c, t, warmNamespaces)) {
                    warm.start();
                    warm.awaitSynced(timeout);
                }
            }
            ApiServerMetrics.PodRequests before = settledRequests(admin, idleWatches);
            long heap0 = settledHeap();
            long cpu0 = CpuMeter.processCpuNanos();
            long alloc0 = allocatedBytes();
            long t0 = System.nanoTime();
            Sync sync = open(c, t, namespaces);
            String error = null;
            int stored;
            double syncMillis;
            long cpu1;
            long alloc1;
            long heap1;
            try {
                sync.start();
                boolean synced = sync.awaitSynced(timeout);
                syncMillis = (System.nanoTime() - t0) / 1e6;
                cpu1 = CpuMeter.processCpuNanos();
                alloc1 = allocatedBytes();
                stored = sync.size();
                if (!synced) {
                    error = "not synced within " + timeout;
                } else if (stored >= 0 && stored != expected) {
                    error = "synced with " + stored + " pods, expected " + expected;
                }
                heap1 = settledHeap();
                Reference.reachabilityFence(sync);
            } finally {
                sync.close();
            }
            ApiServerMetrics.PodRequests made =
                    settledRequests(admin, idleWatches).minus(before);
            return new ContenderResult(
                    c.label,
                    namespaces.size(),
                    expected,
                    stored,
                    syncMillis,
                    heap0,
                    heap1,
                    (cpu1 - cpu0) / 1e6,
                    alloc1 - alloc0,
                    sync.bodyBytes(),
                    made.lists(),
                    made.watches(),
                    sync.ownCounters(),
                    error);
        }
    }

    /** The contender's client, one file each. */
    static Sync open(Contender c, Target t, List<String> namespaces) {
        if (c.ours()) {
            return new OursSync(c.strategy, t, namespaces);
        }
        return switch (c) {
            case FABRIC8 -> new Fabric8Sync(t, namespaces);
            case CLIENT_JAVA -> new ClientJavaSync(t, namespaces);
            case RAW_RV0 -> new RawGetSync(t, namespaces, RawGetSync.Read.WATCH_CACHE);
            case RAW_CONSISTENT -> new RawGetSync(t, namespaces, RawGetSync.Read.CONSISTENT);
            case RAW_PAGED -> new RawGetSync(t, namespaces, RawGetSync.Read.PAGED);
            default -> throw new IllegalArgumentException(c.label);
        };
    }

    /**
     * Waits until the watches this JVM opened have ended on the server too (the open-watch gauge is
     * back to {@code idleWatches}), so the counts are complete; then returns them.
     */
    private static ApiServerMetrics.PodRequests settledRequests(KubeHttp admin, long idleWatches)
            throws IOException, InterruptedException {
        ApiServerMetrics.PodRequests now = ApiServerMetrics.podRequests(admin);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (now.watchesOpen() > idleWatches && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = ApiServerMetrics.podRequests(admin);
        }
        return now;
    }

    /** Used heap after full GCs, once two readings in a row agree. */
    static long settledHeap() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long last = -1;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(50);
            long used = mem.getHeapMemoryUsage().getUsed();
            if (last >= 0 && Math.abs(used - last) < 256 * 1024) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }

    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tm
                ? tm.getTotalThreadAllocatedBytes()
                : 0;
    }

    static Config fabric8Config(Target t) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(t.server())
                .withOauthToken(t.token())
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                // The same patience for a big list as our engine's (5 min), not fabric8's 10 s default.
                .withRequestTimeout((int) TimeUnit.MINUTES.toMillis(5))
                .build();
    }
}
