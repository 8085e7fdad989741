package dev.drover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Each test starts a private ground with the knob it needs, so the shared ground stays calm. */
@Tag("kube")
class TestGroundKnobsTest {

    @Test
    void restartingTheApiServerKeepsPortAndDataAndExpiresOldWatches() throws Exception {
        try (TestGround ground = TestGround.builder().build().start();
                KubernetesClient admin = ground.adminClient()) {
            String ns = ground.createNamespace("restart");
            String oldRv = configMap(admin, ns, "before").getMetadata().getResourceVersion();
            configMap(admin, ns, "later");
            int port = ground.apiServerPort();

            ground.restartApiServer();

            assertThat(ground.apiServerPort()).isEqualTo(port);
            assertThat(admin.configMaps().inNamespace(ns).withName("before").get())
                    .isNotNull();
            assertThat(firstWatchLine(ground, ns, oldRv)).contains("\"code\":410");
        }
    }

    @Test
    void withoutTheWatchCacheCompactionMakesOldResourceVersionsGone() throws Exception {
        try (TestGround ground = TestGround.builder().watchCache(false).build().start();
                KubernetesClient admin = ground.adminClient()) {
            String ns = ground.createNamespace("compact");
            String oldRv = configMap(admin, ns, "first").getMetadata().getResourceVersion();
            configMap(admin, ns, "second");
            configMap(admin, ns, "third");

            ground.compactEtcd(); // history before "third" is gone, so a watch from "first" cannot resume

            assertThat(firstWatchLine(ground, ns, oldRv)).contains("\"code\":410");
        }
    }

    /**
     * The max-inflight filter's Retry-After is always 1 s (kube-apiserver 1.20), so it cannot tell a
     * client that honours Retry-After from one that waits a fixed second: {@link
     * ThrottlingWebhookTest} makes the server ask for longer.
     */
    @Test
    void smallInflightLimitsAnswer429WithRetryAfterOneSecond() throws Exception {
        try (TestGround ground =
                TestGround.builder().maxRequestsInflight(1, 1).build().start()) {
            String ns = ground.createNamespace("inflight");
            // system:masters is exempt from the inflight limit, so the load comes from a plain user.
            TestUser lister = ground.restrictedUser(ns, "lister", RbacRule.of("", "configmaps", "list"));
            List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                calls.add(TestGround.insecureHttp()
                        .sendAsync(
                                HttpRequest.newBuilder(URI.create(
                                                ground.masterUrl() + "/api/v1/namespaces/" + ns + "/configmaps"))
                                        .header("Authorization", "Bearer " + lister.token())
                                        .build(),
                                HttpResponse.BodyHandlers.discarding()));
            }
            List<HttpResponse<Void>> throttled = calls.stream()
                    .map(CompletableFuture::join)
                    .filter(r -> r.statusCode() == 429)
                    .toList();

            assertThat(throttled).isNotEmpty();
            assertThat(throttled)
                    .allSatisfy(r ->
                            assertThat(r.headers().firstValue("Retry-After")).hasValue("1"));
        }
    }

    @Test
    @SuppressWarnings("try") // the try-with-resources is what thaws it
    void aFrozenApiServerAnswersNothingUntilThawedAndStopEndsItEvenWhenFrozen() {
        List<ProcessHandle> before = servers();
        TestGround ground = TestGround.builder().build().start();
        List<ProcessHandle> servers =
                servers().stream().filter(p -> !before.contains(p)).toList();
        assertThat(servers).hasSize(2);
        try {
            try (var frozen = ground.freezeApiServer()) {
                assertThat(ground.isReady())
                        .as("a frozen apiserver answers nothing")
                        .isFalse();
            }
            assertThat(ground.isReady()).as("thawed, it answers again").isTrue();
            ground.freezeApiServer(); // left frozen on purpose: stop() must still end it
        } finally {
            ground.stop();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void stoppingRemovesProcessesAndTheStateDirectory() {
        List<ProcessHandle> before = servers();
        TestGround ground = TestGround.builder().build().start();
        List<ProcessHandle> servers =
                servers().stream().filter(p -> !before.contains(p)).toList();
        assertThat(servers).hasSize(2);

        ground.stop();

        await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(ground.stateDir()).doesNotExist();
    }

    private static List<ProcessHandle> servers() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").matches(".*/(etcd|kube-apiserver)"))
                .toList();
    }

    private static ConfigMap configMap(KubernetesClient admin, String ns, String name) {
        return admin.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();
    }

    /** Opens a raw watch from {@code rv} and returns its first line (or the error body). */
    private static String firstWatchLine(TestGround ground, String ns, String rv) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = TestGround.insecureHttp()
                .send(
                        HttpRequest.newBuilder(URI.create(ground.masterUrl() + "/api/v1/namespaces/" + ns
                                        + "/configmaps?watch=true&timeoutSeconds=5&resourceVersion=" + rv))
                                .header("Authorization", "Bearer " + ground.adminToken())
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        try (var lines = r.body()) {
            return r.statusCode() + " " + lines.findFirst().orElse("");
        }
    }
}
