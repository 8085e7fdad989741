package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.kube.KubeApi;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kubernetes credentials on the API: tokens checked with the real apiserver's TokenReview, roles from groups. */
@KubernetesTest
class TokenReviewTest {
    private TaskStore store;
    private Drover drover;
    private KubeApi kube;
    private DroverServer server;
    private ApiClient api;
    private String saToken;
    private TestGround ground;

    @BeforeEach
    void setUp(TestGround ground, KubernetesClient client, TestNamespace ns) {
        this.ground = ground;
        client.serviceAccounts()
                .inNamespace(ns.name())
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("ci")
                        .endMetadata()
                        .build())
                .create();
        saToken = ground.serviceAccountToken(ns.name(), "ci");
        store = TaskStores.fromUrl(
                "jdbc:h2:mem:review" + ThreadLocalRandom.current().nextInt(1 << 30)
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        drover = Drover.builder(ground.adminConfig(), store).cluster("review").build();
        kube = KubeApi.builder(ground.adminConfig()).build();
        // The namespace's ServiceAccounts may submit; nobody else has a Drover group here.
        server = DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(0)
                .authenticator(
                        new TokenReviewAuthenticator(kube, Map.of(Role.SUBMIT, "system:serviceaccounts:" + ns.name())))
                .build()
                .start();
        api = new ApiClient(server.url());
    }

    @AfterEach
    void tearDown() {
        server.close();
        kube.close();
        drover.close();
        store.close();
    }

    @Test
    void aServiceAccountTokenGetsTheRoleOfItsGroup() {
        ApiClient.Answer list = api.get("/api/v1/tasks", saToken);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        ApiClient.Answer replicas = api.get("/api/v1/replicas", saToken);
        assertThat(replicas.status()).isEqualTo(200);
    }

    @Test
    void aKnownUserInNoDroverGroupIsForbiddenAndAnUnknownTokenIsUnauthorized() {
        ApiClient.Answer admin = api.get("/api/v1/tasks", ground.adminToken());
        assertThat(admin.status()).as("authenticated, but in no Drover group").isEqualTo(403);
        assertThat(admin.json().path("detail").asText()).contains("admin has role none");
        assertThat(api.get("/api/v1/tasks", "not-a-kubernetes-token").status()).isEqualTo(401);
    }
}
