package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.store.TaskStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store's gauges read one cached snapshot: a scrape asks the store at most every maxAge. */
class StoreGaugesTest {
    private final TaskStore store = ExecutorFixture.h2Store();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final StoreGauges gauges =
            new StoreGauges(store, registry, Duration.ofSeconds(30), Duration.ofSeconds(5), nanos::get);

    @AfterEach
    void tearDown() {
        store.close();
    }

    private void submit(String id) {
        store.insert(id, TaskSpec.builder(id).image("busybox").build(), Instant.now());
    }

    private double tasks(String state) {
        return registry.get("drover.tasks").tag("state", state).gauge().value();
    }

    @Test
    void tasksByStateAreReadOnceAndKeptUntilTheyAreOlderThanMaxAge() {
        submit("a");
        assertThat(tasks("queued")).isEqualTo(1);

        submit("b");
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(tasks("queued")).as("still the snapshot").isEqualTo(1);
        assertThat(tasks("succeeded")).isZero();

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tasks("queued")).isEqualTo(2);
    }

    @Test
    void eachLiveReplicaGetsItsSeriesFromTheFirstScrapeOn() {
        store.registerReplica("replica-1", "host-a", "1.0", Duration.ofSeconds(30));
        String first = registry.scrape(); // reads the gauges: the snapshot finds the replica
        String second = registry.scrape();

        assertThat(first).contains("drover_tasks{state=\"queued\"} 0");
        assertThat(second)
                .contains("drover_replica_alive{replica=\"replica-1\"} 1")
                .contains("drover_replica_tasks_in_flight{replica=\"replica-1\"} 0")
                .containsPattern("drover_replica_heartbeat_age_seconds\\{replica=\"replica-1\"} [0-9.]+");
    }

    @Test
    void aStoppedReplicaWithoutTasksHasNoSeries() {
        store.registerReplica("gone", "host-a", "1.0", Duration.ofSeconds(30));
        store.setReplicaState("gone", ReplicaState.STOPPED);
        registry.scrape();

        assertThat(registry.scrape()).doesNotContain("replica=\"gone\"");
    }

    @Test
    void aStoreThatCannotBeReadGivesNaN() {
        store.close();
        assertThat(tasks("queued")).isNaN();
        assertThat(registry.scrape()).contains("drover_tasks{state=\"queued\"} NaN");
    }
}
