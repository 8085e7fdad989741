package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.store.TransitionRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which state changes count as what, and why reasons stay a bounded set of tag values. */
class EngineMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EngineMetrics metrics = new EngineMetrics(registry, Clock.systemUTC());

    @Test
    void kubernetesStyleReasonsAreTagsAndFreeTextIsOther() {
        assertThat(metrics.boundedReason("OOMKilled")).isEqualTo("OOMKilled");
        assertThat(metrics.boundedReason("StartupTimeout")).isEqualTo("StartupTimeout");
        assertThat(metrics.boundedReason("container main exited 3")).isEqualTo("Other");
        assertThat(metrics.boundedReason("error")).isEqualTo("Other");
        assertThat(metrics.boundedReason(null)).isEqualTo("Other");
        assertThat(metrics.boundedReason("A".repeat(49))).isEqualTo("Other");
    }

    @Test
    void afterTheFirstSixtyFourReasonsNewOnesAreOther() {
        for (int i = 0; i < EngineMetrics.MAX_REASONS; i++) {
            assertThat(metrics.boundedReason("Reason" + i)).isEqualTo("Reason" + i);
        }
        assertThat(metrics.boundedReason("OneTooMany")).isEqualTo("Other");
        assertThat(metrics.boundedReason("Reason7")).as("one seen before stays").isEqualTo("Reason7");
    }

    @Test
    void terminalChangesAreOutcomesAndUpForRetryIsARetryOfItsBudget() {
        metrics.moved(change(TaskState.SUCCEEDED, null, false));
        metrics.moved(change(TaskState.FAILED, FailureDetails.of("Error", "exit 3"), false));
        metrics.moved(change(TaskState.UP_FOR_RETRY, FailureDetails.of("Evicted", "memory"), true));
        metrics.moved(change(TaskState.UP_FOR_RETRY, FailureDetails.of("Error", "exit 1"), false));
        metrics.moved(change(TaskState.CANCELLED, null, false));
        metrics.moved(change(TaskState.RUNNING, null, false)); // neither

        assertThat(count("drover.tasks.outcomes", "state", "succeeded", "reason", "none"))
                .isEqualTo(1);
        assertThat(count("drover.tasks.outcomes", "state", "failed", "reason", "Error"))
                .isEqualTo(1);
        assertThat(count("drover.tasks.outcomes", "state", "cancelled", "reason", "none"))
                .isEqualTo(1);
        assertThat(count("drover.tasks.retries", "kind", "infrastructure", "reason", "Evicted"))
                .isEqualTo(1);
        assertThat(count("drover.tasks.retries", "kind", "user", "reason", "Error"))
                .isEqualTo(1);
        assertThat(registry.get("drover.tasks.outcomes").counters()).hasSize(3);
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private static TransitionRequest change(TaskState to, FailureDetails failure, boolean infrastructure) {
        Instant now = Instant.now();
        return new TransitionRequest(
                "t1", 1, Set.of(TaskState.RUNNING), to, "why", failure, null, now, "me", infrastructure);
    }
}
