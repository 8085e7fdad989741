package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Drover;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RealPrometheus;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes {@code drover server}'s {@code /metrics} while two tasks run, one
 * succeeding and one failing; PromQL through its HTTP API reads what happened.
 */
@KubernetesTest
class PrometheusScrapeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ServedDrover served;
    private TaskStore store;
    private Drover drover;
    private DroverServer server;
    private String ns;
    private String schedulerId;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) {
        ns = namespace.name();
        schedulerId = "scrape-" + ns;
        served = ServedDrover.start(
                ground,
                client,
                ns,
                dir,
                schedulerId,
                b -> b.meterRegistry(registry),
                b -> b.withoutAuthentication().metrics(registry));
        store = served.store;
        drover = served.drover;
        server = served.server;
    }

    @AfterEach
    void tearDown() {
        served.close();
    }

    private TaskSpec task(String name, String behavior) {
        return TaskSpec.builder(name)
                .namespace(ns)
                .image("registry.example/app:1")
                .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, behavior)
                .build();
    }

    @Test
    void prometheusReadsTheTasksOutcomesRequestsAndLatenciesOfTheServersMetrics() throws Exception {
        URI url = URI.create(server.url());
        try (RealPrometheus prometheus = RealPrometheus.scraping(url.getHost() + ":" + url.getPort(), "/metrics")) {
            List<TaskHandle> handles =
                    drover.submitAll(List.of(task("ok", "run=500ms"), task("fails", "run=500ms; exit=2")));
            for (TaskHandle h : handles) {
                h.result().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }

            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> prometheus.value("sum(drover_tasks_outcomes_total)") == 2);
            assertThat(prometheus.value("up{job=\"drover\"}")).isEqualTo(1);
            assertThat(prometheus.value("drover_tasks_submitted_total")).isEqualTo(2);
            assertThat(prometheus.value("drover_tasks_outcomes_total{state=\"succeeded\",reason=\"none\"}"))
                    .isEqualTo(1);
            assertThat(prometheus.value("drover_tasks_outcomes_total{state=\"failed\",reason=\"Error\"}"))
                    .isEqualTo(1);
            assertThat(prometheus.value("drover_kube_requests_total{verb=\"create\",resource=\"pods\",code=\"201\"}"))
                    .isEqualTo(2);
            assertThat(prometheus.value("drover_tasks_submit_to_pod_seconds_count"))
                    .isEqualTo(2);
            // The buckets are there: Prometheus computes a quantile from them.
            assertThat(prometheus.value("histogram_quantile(0.99, drover_tasks_submit_to_pod_seconds_bucket)"))
                    .isPositive()
                    .isLessThan(60);
            assertThat(prometheus.value("drover_tasks_pod_to_running_seconds_count"))
                    .isEqualTo(2);
            assertThat(prometheus.value("sum(drover_store_latency_seconds_count{operation=\"claim\"})"))
                    .isPositive();

            // Gauges from the store's snapshot (at most 5 s old).
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(prometheus.value("drover_tasks{state=\"succeeded\"}"))
                        .isEqualTo(1);
                assertThat(prometheus.value("drover_tasks{state=\"failed\"}")).isEqualTo(1);
                assertThat(prometheus.value("drover_replica_alive{replica=\"" + schedulerId + "\"}"))
                        .isEqualTo(1);
                assertThat(prometheus.value("drover_replica_tasks_in_flight{replica=\"" + schedulerId + "\"}"))
                        .isZero();
            });
        }
    }
}
