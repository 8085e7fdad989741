package dev.drover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

@KubernetesTest
class TestGroundTest {

    @Test
    void aPodCreatedOnTheGroundStaysPendingWithoutASimulator(KubernetesClient client, TestNamespace ns) {
        var pod = client.pods()
                .inNamespace(ns.name())
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("lonely")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("main")
                        .withImage("busybox")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();

        assertThat(pod.getMetadata().getUid()).isNotBlank();
        assertThat(client.pods()
                        .inNamespace(ns.name())
                        .withName("lonely")
                        .get()
                        .getStatus()
                        .getPhase())
                .isEqualTo("Pending");
    }

    @Test
    void eachTestGetsItsOwnNamespace(KubernetesClient client, TestNamespace ns) {
        assertThat(client.namespaces().withName(ns.name()).get()).isNotNull();
        assertThat(ns.name()).startsWith("eachtestgetsitsownnamespace-");
    }

    @Test
    void theKubeconfigPointsAtTheGroundWithTheAdminToken(TestGround ground) throws Exception {
        String kubeconfig = Files.readString(ground.kubeconfig());

        assertThat(kubeconfig).contains("server: " + ground.masterUrl()).contains("token: " + ground.adminToken());
        assertThat(ground.isReady()).isTrue();
    }

    @Test
    void theAuditLogRecordsEveryRequestWithVerbUserAndCode(TestGround ground, KubernetesClient client, TestNamespace ns)
            throws Exception {
        client.configMaps()
                .inNamespace(ns.name())
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("audited")
                        .endMetadata()
                        .build())
                .create();

        String audit = Files.readString(ground.auditLog());
        assertThat(audit)
                .contains("\"verb\":\"create\"")
                .contains("\"requestURI\":\"/api/v1/namespaces/" + ns.name() + "/configmaps\"")
                .contains("\"username\":\"admin\"")
                .contains("\"code\":201");
    }

    @Test
    void aRestrictedUserMayDoWhatRbacGrantsAndNothingElse(TestGround ground, TestNamespace ns) {
        TestUser reader = ground.restrictedUser(ns.name(), "cm-reader", RbacRule.of("", "configmaps", "get", "list"));

        try (KubernetesClient asReader = reader.client()) {
            assertThat(asReader.configMaps().inNamespace(ns.name()).list().getItems())
                    .isEmpty();
            assertThatThrownBy(() -> asReader.configMaps()
                            .inNamespace(ns.name())
                            .resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName("nope")
                                    .endMetadata()
                                    .build())
                            .create())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                            .isEqualTo(403));
            assertThatThrownBy(() -> asReader.pods().inNamespace(ns.name()).list())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                            .isEqualTo(403));
        }
        assertThat(reader.userName()).isEqualTo("system:serviceaccount:" + ns.name() + ":cm-reader");
    }
}
