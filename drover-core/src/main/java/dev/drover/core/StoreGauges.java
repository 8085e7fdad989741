package dev.drover.core;

import dev.drover.core.store.TaskStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of what the store holds: tasks by state, and per replica its heartbeat age, tasks in
 * flight and whether it is alive. Read from one snapshot (two store queries) taken at most every
 * {@code maxAge}, when a gauge is read: a scrape costs no query per gauge, and no scrape none.
 *
 * <p>Replicas are never removed from the store, so only those that matter get series: alive ones,
 * and dead ones still holding tasks (their takeover is due), at most {@value #MAX_REPLICAS}.
 */
final class StoreGauges {
    private static final Logger log = LoggerFactory.getLogger(StoreGauges.class);
    static final int MAX_REPLICAS = 100;

    private final TaskStore store;
    private final Duration aliveThreshold;
    private final long maxAgeNanos;
    private final LongSupplier nanos;
    private final MultiGauge heartbeatAge;
    private final MultiGauge inFlight;
    private final MultiGauge alive;
    private Snapshot last;
    private Set<String> replicaIds = Set.of();

    /** What the store said at {@code takenNanos}; empty when it could not be read. */
    record Snapshot(Map<TaskState, Long> counts, Map<String, Replica> replicas, long takenNanos) {}

    StoreGauges(TaskStore store, MeterRegistry registry, Duration aliveThreshold, Duration maxAge, LongSupplier nanos) {
        this.store = store;
        this.aliveThreshold = aliveThreshold;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanos = nanos;
        for (TaskState s : TaskState.values()) {
            Gauge.builder("drover.tasks", this, g -> count(g.snapshot(), s))
                    .description("Tasks in the store by state (all replicas; refreshed at most every "
                            + maxAge.toSeconds() + " s)")
                    .tag("state", s.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        this.heartbeatAge = MultiGauge.builder("drover.replica.heartbeat.age")
                .description("How long ago each replica's last heartbeat was, by the store's clock")
                .baseUnit("seconds")
                .register(registry);
        this.inFlight = MultiGauge.builder("drover.replica.tasks.in.flight")
                .description("Tasks the store holds in flight (launching, pending, running) for each replica")
                .register(registry);
        this.alive = MultiGauge.builder("drover.replica.alive")
                .description("1 while a replica's heartbeat is younger than the alive threshold and it is not"
                        + " stopped, else 0")
                .register(registry);
    }

    /** The latest snapshot, taken again when older than {@code maxAge}. */
    Snapshot snapshot() {
        Snapshot s;
        Set<String> newIds = null;
        synchronized (this) {
            long now = nanos.getAsLong();
            if (last != null && now - last.takenNanos() < maxAgeNanos) {
                return last;
            }
            s = take(now);
            last = s;
            if (!s.replicas().keySet().equals(replicaIds)) {
                newIds = replicaIds = Set.copyOf(s.replicas().keySet());
            }
        }
        if (newIds != null) {
            // Outside the lock: registering takes the registry's, which a scrape may hold while it
            // reads these gauges. Rows read the snapshot by id, so they change only with the set.
            heartbeatAge.register(rows(newIds, r -> r.heartbeatAge().toMillis() / 1000.0), true);
            inFlight.register(rows(newIds, Replica::inFlight), true);
            alive.register(rows(newIds, r -> r.alive() ? 1 : 0), true);
        }
        return s;
    }

    private Snapshot take(long now) {
        try {
            Map<String, Replica> replicas = store.replicas(aliveThreshold).stream()
                    .filter(r -> r.alive() || r.inFlight() > 0)
                    .limit(MAX_REPLICAS)
                    .collect(Collectors.toMap(Replica::id, r -> r, (a, b) -> a, java.util.LinkedHashMap::new));
            return new Snapshot(store.countByState(), replicas, now);
        } catch (RuntimeException e) {
            // Gauges read NaN meanwhile; asked again after maxAge, not on every gauge of this scrape.
            log.debug("store gauges: could not read the store ({})", e.toString());
            return new Snapshot(Map.of(), Map.of(), now);
        }
    }

    private List<MultiGauge.Row<?>> rows(Set<String> ids, ToDoubleFunction<Replica> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (String id : ids) {
            rows.add(MultiGauge.Row.of(Tags.of("replica", id), this, g -> {
                Replica r = g.snapshot().replicas().get(id);
                return r == null ? Double.NaN : value.applyAsDouble(r);
            }));
        }
        return rows;
    }

    private static double count(Snapshot s, TaskState state) {
        Long n = s.counts().get(state);
        return n == null ? Double.NaN : n;
    }
}
