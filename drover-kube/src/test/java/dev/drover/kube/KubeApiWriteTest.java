package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KubeApi's writes against the real apiserver: what comes back for each answer an executor meets. */
@KubernetesTest
class KubeApiWriteTest {
    private KubeApi api;

    @BeforeEach
    void connect(TestGround ground) {
        api = KubeApi.builder(ground.adminConfig()).build();
    }

    @AfterEach
    void disconnect() {
        api.close();
    }

    static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"k\":\"v\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}";
    }

    @Test
    void createAnswers201AndTheSecondCreateOfTheSameNameThrows409(KubernetesClient client, TestNamespace ns) {
        String pods = ResourceType.PODS.path(ns.name());

        assertThat(api.create(pods, pod("a"))).isEqualTo(201);
        ApiException again = catchThrowableOfType(ApiException.class, () -> api.create(pods, pod("a")));

        assertThat(again.code()).isEqualTo(409);
        assertThat(again.reason()).isEqualTo("AlreadyExists");
        assertThat(client.pods()
                        .inNamespace(ns.name())
                        .withName("a")
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry("k", "v");
        assertThat(api.counters().requests()).containsEntry("create 201", 1L).containsEntry("create 409", 1L);
    }

    @Test
    void anInvalidPodThrows422WithTheApiserversOwnMessage(TestNamespace ns) {
        String invalid = pod("Not_A_Valid_Name");

        ApiException e =
                catchThrowableOfType(ApiException.class, () -> api.create(ResourceType.PODS.path(ns.name()), invalid));

        assertThat(e.code()).isEqualTo(422);
        assertThat(e.statusMessage()).contains("Not_A_Valid_Name").doesNotStartWith("422");
    }

    @Test
    void createInAMissingNamespaceReturns404(TestGround ground) {
        assertThat(api.create(ResourceType.PODS.path("no-such-namespace-here"), pod("a")))
                .isEqualTo(404);
    }

    @Test
    void deleteRemovesThePodAndADeleteOfAGonePodReturns404(KubernetesClient client, TestNamespace ns) {
        String pods = ResourceType.PODS.path(ns.name());
        api.create(pods, pod("b"));

        assertThat(api.delete(pods + "/b")).isEqualTo(200);
        // No kubelet: an unscheduled pod goes at once.
        assertThat(client.pods().inNamespace(ns.name()).withName("b").get()).isNull();
        assertThat(api.delete(pods + "/b")).isEqualTo(404);
    }
}
