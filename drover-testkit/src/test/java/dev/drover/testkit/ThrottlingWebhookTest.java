package dev.drover.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The webhook's 429 reaches a client as the real apiserver's answer, with the Retry-After it asked for. */
@KubernetesTest
class ThrottlingWebhookTest {

    @Test
    void aDenialWith429AndRetryAfterSecondsReachesTheClientAsHttp429WithThatRetryAfter(
            TestGround ground, TestNamespace ns) throws Exception {
        try (ThrottlingWebhook webhook = ground.throttlePodCreates(ns.name(), 1, Duration.ofSeconds(4))) {
            HttpResponse<String> refused = createPod(ground, ns, "first");
            HttpResponse<String> allowed = createPod(ground, ns, "second");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("4");
            assertThat(refused.body())
                    .contains("\"reason\":\"TooManyRequests\"")
                    .contains("\"retryAfterSeconds\":4")
                    .contains("admission webhook");
            assertThat(allowed.statusCode()).isEqualTo(201);
            assertThat(webhook.reviews())
                    .extracting(r -> r.name() + (r.denied() ? " denied" : " allowed"))
                    .containsExactly("first denied", "second allowed");
        }
    }

    @Test
    void podCreatesInOtherNamespacesNeverReachIt(TestGround ground, TestNamespace ns) throws Exception {
        String other = ground.createNamespace("other");
        try (ThrottlingWebhook webhook = ground.throttlePodCreates(ns.name(), 5, Duration.ofSeconds(4))) {
            assertThat(createPod(ground, new TestNamespace(other), "elsewhere").statusCode())
                    .isEqualTo(201);
            assertThat(webhook.reviews()).isEmpty();
        }
    }

    private static HttpResponse<String> createPod(TestGround ground, TestNamespace ns, String name) throws Exception {
        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}";
        return TestGround.insecureHttp()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(ground.masterUrl() + "/api/v1/namespaces/" + ns.name() + "/pods"))
                                .header("Authorization", "Bearer " + ground.adminToken())
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(pod))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
