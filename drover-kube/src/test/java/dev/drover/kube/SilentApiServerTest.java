package dev.drover.kube;

import static dev.drover.kube.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An apiserver that stops answering (frozen with SIGSTOP) is noticed, reported, and survived. */
@KubernetesTest
class SilentApiServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @SuppressWarnings("try") // the try-with-resources is what thaws it
    void aFrozenApiServerIsReportedAsNotAnsweringAndTheWatchResumesAfterTheThaw(
            TestGround ground, KubernetesClient client, TestNamespace ns) throws Exception {
        try (LogCapture logs = new LogCapture();
                KubeApi api = KubeApi.builder(ground.adminConfig()).build();
                var informer = Informer.pods(api)
                        .namespaces(ns.name())
                        .silentAfter(Duration.ofSeconds(2))
                        .build()
                        .start()) {
            assertThat(informer.awaitSynced(WAIT)).isTrue();
            await().atMost(WAIT).until(() -> api.counters().requests("watch") >= 1);

            try (var frozen = ground.freezeApiServer()) {
                await().atMost(WAIT).until(() -> informer.counters().silences() >= 1);
                assertThat(informer.status().silentSince()).isNotNull();
                assertThat(informer.status().lastError().message()).startsWith("apiserver not answering");
                assertThat(logs.atLeast(Level.WARN))
                        .singleElement()
                        .asString()
                        .startsWith("apiserver not answering: watch of pods in " + ns.name() + " silent for ")
                        .contains("/version: timed out");
            }
            pod(client, ns.name(), "after-thaw", Map.of());

            await().atMost(WAIT).until(() -> informer.store().size() == 1);
            await().atMost(WAIT).until(() -> informer.status().silentSince() == null);
            assertThat(logs.atLeast(Level.INFO)).anySatisfy(m -> assertThat(m).startsWith("apiserver answering again"));
            assertThat(informer.counters().silences()).isEqualTo(1);
            assertThat(informer.counters().relists())
                    .as("resumed from its resourceVersion")
                    .isZero();
            assertThat(api.counters().requests("list")).isEqualTo(1);
        }
    }
}
