package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drover's meters on the real apiserver, with drover-sim's kubelets: three tasks (one succeeds, one
 * fails, one fails, is retried and fails again) move the counters, histograms and gauges by exactly
 * what happened.
 */
@KubernetesTest
class MetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ExecutorFixture fx;

    @BeforeEach
    void setUp(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name());
        fx.startDrover(b -> b.meterRegistry(registry));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void threeTasksMoveTheTaskApiAndStoreMeters() {
        List<TaskHandle> handles = fx.drover.submitAll(List.of(
                fx.task("ok", "run=1s").build(),
                fx.task("fails", "run=1s; exit=3").build(),
                fx.task("retried", "run=1s; exit=1")
                        .retries(1, Duration.ofMillis(200))
                        .build()));
        handles.forEach(fx::awaitEnd);

        assertThat(count("drover.tasks.submitted")).isEqualTo(3);
        assertThat(count(get("drover.tasks.launches").tag("result", "created"))).isEqualTo(4);
        assertThat(count(get("drover.tasks.outcomes").tags("state", "succeeded", "reason", "none")))
                .isEqualTo(1);
        assertThat(count(get("drover.tasks.outcomes").tags("state", "failed", "reason", "Error")))
                .isEqualTo(2);
        assertThat(count(get("drover.tasks.retries").tags("kind", "user", "reason", "Error")))
                .isEqualTo(1);
        assertThat(registry.get("drover.tasks.retries").counters()).hasSize(1);

        Timer submitToPod = registry.get("drover.tasks.submit.to.pod").timer();
        assertThat(submitToPod.count()).as("first tries only").isEqualTo(3);
        assertThat(submitToPod.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isPositive();
        assertThat(registry.get("drover.tasks.pod.to.running").timer().count())
                .as("every try's pod was seen Running once")
                .isEqualTo(4);

        assertThat(count(get("drover.kube.requests").tags("verb", "create", "resource", "pods", "code", "201")))
                .isEqualTo(4);
        assertThat(count(get("drover.watch.lists").tags("resource", "pods", "cause", "initial")))
                .isGreaterThanOrEqualTo(1);
        assertThat(count(get("drover.watch.events.applied").tags("resource", "pods", "type", "added")))
                .isGreaterThanOrEqualTo(4);

        assertThat(registry.get("drover.store.latency")
                        .tags("operation", "insertAll", "outcome", "ok")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("drover.store.latency")
                        .tags("operation", "transitionAll", "outcome", "ok")
                        .timer()
                        .count())
                .isPositive();

        // The store's gauges: one snapshot, read at most every few seconds.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(gauge(get("drover.tasks").tag("state", "succeeded"))).isEqualTo(1);
            assertThat(gauge(get("drover.tasks").tag("state", "failed"))).isEqualTo(2);
            assertThat(gauge(get("drover.tasks").tag("state", "running"))).isZero();
            assertThat(gauge(get("drover.replica.alive").tag("replica", fx.schedulerId)))
                    .isEqualTo(1);
            assertThat(gauge(get("drover.replica.tasks.in.flight").tag("replica", fx.schedulerId)))
                    .isZero();
            assertThat(gauge(get("drover.replica.heartbeat.age").tag("replica", fx.schedulerId)))
                    .isBetween(0.0, 30.0);
        });
    }

    private RequiredSearch get(String name) {
        return registry.get(name);
    }

    private double count(String name) {
        return registry.get(name).counter().count();
    }

    private static double count(RequiredSearch s) {
        return s.counter().count();
    }

    private static double gauge(RequiredSearch s) {
        return s.gauge().value();
    }
}
