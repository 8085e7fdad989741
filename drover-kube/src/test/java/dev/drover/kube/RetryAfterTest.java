package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.ThrottlingWebhook;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 429's Retry-After is sat out by the request and by every other request of the same KubeApi.
 * The real apiserver asks for 4 s here (a webhook's denial; its own inflight limit always asks for
 * 1 s), and the times are taken where the requests arrive, not by the client.
 */
@KubernetesTest
class RetryAfterTest {

    @Test
    void aCreateRefusedWith429ComesBackOnlyAfterTheServersRetryAfterAndOtherRequestsWaitToo(
            TestGround ground, TestNamespace ns) throws Exception {
        String pods = ResourceType.PODS.path(ns.name());
        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build();
                ThrottlingWebhook webhook = ground.throttlePodCreates(ns.name(), 1, Duration.ofSeconds(4));
                var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Integer> create =
                    CompletableFuture.supplyAsync(() -> api.create(pods, KubeApiWriteTest.pod("a")), threads);
            await().atMost(Duration.ofSeconds(30)).until(() -> api.counters().throttledByServer() == 1);

            api.get("list", pods, Map.of(), in -> in.readAllBytes().length); // asked during the pause

            assertThat(create.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            List<ThrottlingWebhook.Review> reviews = webhook.reviews();
            assertThat(reviews).extracting(ThrottlingWebhook.Review::denied).containsExactly(true, false);
            Instant refused = reviews.get(0).arrived();
            assertThat(Duration.between(refused, reviews.get(1).arrived()))
                    .as("the create came back after the Retry-After, not after a fixed second")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
            assertThat(Duration.between(refused, listReceived(ground, pods)))
                    .as("the list asked meanwhile reached the apiserver only after the pause")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
            assertThat(api.counters().requests())
                    .containsEntry("create 429", 1L)
                    .containsEntry("create 201", 1L);
        }
    }

    /** When the apiserver received the admin's list of {@code path}, by the audit log. */
    private static Instant listReceived(TestGround ground, String path) throws Exception {
        List<String> lines = Files.readAllLines(ground.auditLog()).stream()
                .filter(l -> l.contains("\"verb\":\"list\""))
                .filter(l -> l.contains("\"requestURI\":\"" + path + "\""))
                .filter(l -> l.contains("\"username\":\"admin\""))
                .filter(l -> l.contains("\"stage\":\"ResponseComplete\""))
                .toList();
        assertThat(lines).hasSize(1);
        return Instant.parse(lines.getFirst().replaceAll(".*\"requestReceivedTimestamp\":\"([^\"]*)\".*", "$1"));
    }
}
