package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** A {@link TaskEngine} on a {@link FakeCluster}, an in-memory store and a clock the test moves. */
final class EngineHarness implements AutoCloseable {
    static final String OWNER = "sched-a";
    static final String NS = "ns-a";

    final MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final TaskStore store =
            TaskStores.h2InMemory("engine" + ThreadLocalRandom.current().nextInt(1 << 30));
    final FakeCluster cluster = new FakeCluster(OWNER);
    final List<Task> changes = new CopyOnWriteArrayList<>();
    /** The pending rules the engine starts with. */
    PendingRules pendingRules = PendingRules.defaults();
    /** Where the engine keeps logs (null: not kept; only a failed container's tail is read). */
    LogKeeper logs;
    /** Heartbeats of the harness's replica (its alive threshold is six of them). */
    long heartbeatMillis = 1000;

    private TaskEngine engine;

    TaskEngine start() {
        return start(null, 10);
    }

    TaskEngine start(Supplier<Collection<String>> claimable, int parallelism) {
        engine = new TaskEngine(
                store,
                new TaskEngine.Parts(cluster, cluster, cluster, cluster.trackers(), logs),
                new TaskEngine.Settings(
                        OWNER,
                        "",
                        parallelism,
                        4,
                        Duration.ofMillis(10),
                        pendingRules,
                        20,
                        Duration.ofMillis(50),
                        Duration.ofSeconds(5),
                        "test-host",
                        "test",
                        Duration.ofMillis(heartbeatMillis),
                        Duration.ofMillis(heartbeatMillis * 6)),
                clock,
                changes::add,
                claimable);
        engine.start();
        return engine;
    }

    TaskEngine engine() {
        return engine;
    }

    /** Stops the engine (as a crash would, memory gone) and starts a new one on the same store and cluster. */
    TaskEngine restart() {
        engine.close();
        return start();
    }

    Task submit(TaskSpec.Builder spec) {
        Task t = store.insert(TaskIds.next(), spec.build(), clock.instant());
        if (engine != null) {
            engine.nudge();
        }
        return t;
    }

    static TaskSpec.Builder task(String name) {
        return TaskSpec.builder(name).namespace(NS).image("registry.example/app:1");
    }

    Task stored(String id) {
        return store.get(id).orElseThrow();
    }

    TaskState state(String id) {
        return stored(id).state();
    }

    String podOf(Task t) {
        return TaskIds.podName(t.spec().name(), t.id(), stored(t.id()).tryNumber());
    }

    List<TaskState> states(String id) {
        return store.transitions(id).stream().map(Transition::to).toList();
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
        store.close();
    }

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
