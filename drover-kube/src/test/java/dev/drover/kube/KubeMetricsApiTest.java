package dev.drover.kube;

import static dev.drover.kube.Fixtures.label;
import static dev.drover.kube.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TcpProxy;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.ThrottlingWebhook;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The apiserver client's and the watches' meters, moved by what the real apiserver answered. */
@KubernetesTest
class KubeMetricsApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void aCreateSatOutThrottledIsOne429AndOne201OfPods(TestGround ground, TestNamespace ns) throws Exception {
        try (KubeApi api = KubeApi.builder(ground.adminConfig())
                        .meterRegistry(registry)
                        .build();
                ThrottlingWebhook webhook = ground.throttlePodCreates(ns.name(), 1, Duration.ofSeconds(1))) {
            assertThat(api.create(ResourceType.PODS.path(ns.name()), KubeApiWriteTest.pod("a")))
                    .isEqualTo(201);
        }

        assertThat(count("drover.kube.requests", "verb", "create", "resource", "pods", "code", "429"))
                .isEqualTo(1);
        assertThat(count("drover.kube.requests", "verb", "create", "resource", "pods", "code", "201"))
                .isEqualTo(1);
        assertThat(count("drover.kube.throttled", "verb", "create")).isEqualTo(1);
    }

    @Test
    void a410MidStreamIsCountedAsGoneAndARelistOfCauseGone() throws Exception {
        try (TestGround ground = TestGround.builder().watchCache(false).build().start();
                KubernetesClient client = ground.adminClient();
                TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = KubeApi.builder(viaProxy(proxy, ground.adminToken()))
                        .meterRegistry(registry)
                        .build()) {
            String ns = ground.createNamespace("metrics");
            pod(client, ns, "a", Map.of());
            try (var informer = Informer.pods(api)
                    .namespaces(ns)
                    .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .build()
                    .start()) {
                informer.awaitSynced(WAIT);
                await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);
                pod(client, ns, "b", Map.of());
                await().atMost(WAIT).until(() -> informer.store().size() == 2);

                proxy.cut(true);
                label(client, ns, "a", "changed", "yes");
                // A write after the label: compacted at the label itself, the watch would answer 500
                // (PrevKv=nil) instead of 410, a SERVER_ERROR relist (InformerRecoveryTest).
                pod(client, ns, "c", Map.of());
                ground.compactEtcd(); // the watch's resourceVersion cannot be replayed: 410
                proxy.heal();

                await().atMost(WAIT).until(() -> informer.counters().lists(RelistCause.GONE) >= 1);
            }
        }

        assertThat(count("drover.watch.gone", "resource", "pods")).isGreaterThanOrEqualTo(1);
        assertThat(count("drover.watch.lists", "resource", "pods", "cause", "gone"))
                .isGreaterThanOrEqualTo(1);
        assertThat(count("drover.watch.lists", "resource", "pods", "cause", "initial"))
                .isEqualTo(1);
        assertThat(count("drover.watch.events.applied", "resource", "pods", "type", "added"))
                .as("b came by the watch; a by the lists")
                .isEqualTo(1);
        assertThat(count("drover.kube.requests", "verb", "list", "resource", "pods", "code", "200"))
                .isGreaterThanOrEqualTo(2);
    }

    private static Config viaProxy(TcpProxy proxy, String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(proxy.url())
                .withOauthToken(token)
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .build();
    }
}
