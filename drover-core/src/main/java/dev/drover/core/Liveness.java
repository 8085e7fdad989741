package dev.drover.core;

import dev.drover.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica among the others on the store: its registration and heartbeats, whether it may act
 * (fencing), who else is alive, and the takeover of the tasks of replicas that are not. One platform
 * thread beats every heartbeat interval; everything here is judged by the store's clock, except the
 * replica's own fence, which needs no store to tell (its monotonic clock since its last heartbeat).
 */
final class Liveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Liveness.class);
    /** How many of a dead replica's tasks one heartbeat takes over at most. */
    static final int TAKE_OVER_AT_ONCE = 256;

    /** What the engine does with what the heartbeats learn. */
    interface Listener {
        /** These tasks are this replica's now (taken over from one that is not alive): resume them. */
        void tookOver(List<Task> tasks);

        /** The store says this replica was declared dead (its heartbeats had stopped): drop what it holds, without a write. */
        void declaredDead();
    }

    private final TaskStore store;
    private final String self;
    private final String host;
    private final String version;
    private final Duration interval;
    private final Duration threshold;
    private final Clock clock;
    private final LongSupplier nanos;
    private Listener listener = new Listener() {
        @Override
        public void tookOver(List<Task> tasks) {}

        @Override
        public void declaredDead() {}
    };

    private volatile long lastBeatNanos;
    /** Since when the heartbeats reach the store without a gap: only then does this replica judge others by age. */
    private volatile long healthySinceNanos;

    private volatile Optional<Set<String>> aliveSiblings = Optional.empty();
    private volatile boolean stopped;
    private Thread thread;

    Liveness(
            TaskStore store,
            String self,
            String host,
            String version,
            Duration interval,
            Duration threshold,
            Clock clock,
            LongSupplier nanos) {
        this.store = store;
        this.self = self;
        this.host = host;
        this.version = version;
        this.interval = interval;
        this.threshold = threshold;
        this.clock = clock;
        this.nanos = nanos;
    }

    /** The replica of an engine with these settings, on the store's clock. */
    static Liveness of(TaskStore store, TaskEngine.Settings s, Clock clock) {
        return new Liveness(
                store,
                s.owner(),
                s.host(),
                s.version(),
                s.heartbeatInterval(),
                s.aliveThreshold(),
                clock,
                System::nanoTime);
    }

    void listener(Listener l) {
        this.listener = l;
    }

    /** Registers this replica (refused, with a clear error, when its id is alive elsewhere) and starts the heartbeats. */
    void start() {
        store.registerReplica(self, host, version, threshold);
        long now = nanos.getAsLong();
        lastBeatNanos = now;
        healthySinceNanos = now;
        thread = Thread.ofPlatform().daemon().name("drover-heartbeat").start(this::run);
    }

    /**
     * Fenced: no heartbeat has reached the store for more than half the alive threshold, so others
     * may soon (by their clock) think this replica dead. It then claims nothing and creates no pod
     * until a heartbeat gets through again.
     */
    boolean fenced() {
        return nanos.getAsLong() - lastBeatNanos > threshold.toNanos() / 2;
    }

    /**
     * The other replicas that were alive at the last heartbeat; empty when the store could not tell,
     * and also while fenced: a picture older than half the threshold (a heartbeat that waits on a
     * store that is down) is no longer known to be true.
     */
    Optional<Set<String>> aliveSiblings() {
        return fenced() ? Optional.empty() : aliveSiblings;
    }

    String self() {
        return self;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            beat();
        }
    }

    /** One heartbeat, then the takeovers it allows. Package-private: tests beat by hand. */
    void beat() {
        boolean recorded;
        try {
            recorded = store.heartbeat(self);
        } catch (RuntimeException e) {
            healthySinceNanos = Long.MAX_VALUE; // a gap: judge nobody until healthy for a threshold again
            aliveSiblings = Optional.empty();
            log.warn(
                    "heartbeat of {} did not reach the store ({}){}",
                    self,
                    e.toString(),
                    fenced() ? "; fenced: no claims and no pod creations until it does" : "");
            return; // the pods' cleanup goes on (Heirship), leaving out only this replica, as far as the store allows
        }
        long now = nanos.getAsLong();
        if (!recorded) {
            log.warn(
                    "replica {} was declared dead while its heartbeats did not get through; dropping what it"
                            + " held (its heir records it) and registering again",
                    self);
            listener.declaredDead();
            store.registerReplica(self, host, version, threshold);
            healthySinceNanos = now;
        } else if (healthySinceNanos == Long.MAX_VALUE) {
            healthySinceNanos = now;
            log.info("heartbeat of {} reaches the store again", self);
        }
        lastBeatNanos = now;
        List<Replica> all;
        try {
            all = store.replicas(threshold);
        } catch (RuntimeException e) {
            aliveSiblings = Optional.empty();
            log.warn("could not read the replicas ({}); adoption excludes only this one meanwhile", e.toString());
            return;
        }
        aliveSiblings = Optional.of(all.stream()
                .filter(r -> r.alive() && !r.id().equals(self))
                .map(Replica::id)
                .collect(Collectors.toUnmodifiableSet()));
        takeOverFrom(all, now);
    }

    /**
     * Takes over the tasks of replicas that are not alive: stopped ones at once; ones whose
     * heartbeat is too old only after this replica has itself reached the store without a gap for a
     * whole threshold (after an outage of the store everyone's heartbeat is old: nobody is judged
     * until they had the time to beat again).
     */
    private void takeOverFrom(List<Replica> all, long now) {
        boolean mayJudge = now - healthySinceNanos >= threshold.toNanos();
        for (Replica r : all) {
            if (r.id().equals(self) || r.alive() || r.inFlight() == 0) {
                continue;
            }
            if (r.state() != ReplicaState.STOPPED) {
                if (!mayJudge) {
                    continue;
                }
                if (store.declareDead(r.id(), threshold)) {
                    log.warn(
                            "replica {} on {} is dead (last heartbeat {} s ago); taking over its {} task(s)",
                            r.id(),
                            r.host(),
                            r.heartbeatAge().toSeconds(),
                            r.inFlight());
                }
            }
            List<Task> taken = store.takeOver(r.id(), self, TAKE_OVER_AT_ONCE, clock.instant());
            if (!taken.isEmpty()) {
                log.info("took over {} task(s) of replica {}", taken.size(), r.id());
                listener.tookOver(taken);
            }
        }
    }

    /** Graceful stop, first step: no one takes over yet, this replica hands back what it can. */
    void stopping() {
        try {
            store.setReplicaState(self, ReplicaState.STOPPING);
        } catch (RuntimeException e) {
            log.warn("could not mark replica {} stopping: {}", self, e.toString());
        }
    }

    /** Stops the heartbeats and marks this replica stopped: the others take over its tasks at once. */
    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            store.setReplicaState(self, ReplicaState.STOPPED);
        } catch (RuntimeException e) {
            log.warn(
                    "could not mark replica {} stopped ({}); the others take over once its heartbeat is old",
                    self,
                    e.toString());
        }
    }
}
