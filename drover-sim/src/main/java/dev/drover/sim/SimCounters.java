package dev.drover.sim;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counters behind {@link SimStats}. */
final class SimCounters {
    final LongAdder bound = new LongAdder();
    final LongAdder started = new LongAdder();
    final LongAdder finished = new LongAdder();
    final LongAdder deleted = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Map<String, LongAdder> writes = new ConcurrentHashMap<>();

    void write(String kind) {
        writes.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void retry() {
        retries.increment();
    }

    void failure() {
        failures.increment();
    }

    SimStats snapshot() {
        Map<String, Long> w = new TreeMap<>();
        writes.forEach((k, v) -> w.put(k, v.sum()));
        return new SimStats(
                bound.sum(), started.sum(), finished.sum(), deleted.sum(), w, retries.sum(), failures.sum());
    }
}
