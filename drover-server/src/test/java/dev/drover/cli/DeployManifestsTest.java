package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/}: what kustomize renders, and that the apiserver takes it (server-side dry run). */
@KubernetesTest
class DeployManifestsTest {
    private static final Path EXAMPLE = Manifests.DEPLOY.resolve("overlays/example");

    @Test
    void theExampleOverlayRendersThreeHardenedReplicasOfTheServerWithProbesSecretsAndABudget() throws Exception {
        List<HasMetadata> objects = Manifests.render(EXAMPLE);

        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder(
                        "Namespace",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding",
                        "Secret",
                        "Secret",
                        "Service",
                        "Deployment",
                        "PodDisruptionBudget");
        assertThat(objects)
                .filteredOn(o -> !o.getKind().equals("Namespace"))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("drover"));

        Deployment deployment = Manifests.one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("drover");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getImage()).isEqualTo("registry.example/drover:0.1.0");
        assertThat(c.getArgs())
                .containsSubsequence("server", "--port", "8080", "--token-file", "/etc/drover/tokens/tokens")
                .contains("--cluster=example");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        // The generated Secrets' hashed names are what the Deployment refers to.
        List<String> secrets = objects.stream()
                .filter(o -> o.getKind().equals("Secret"))
                .map(o -> o.getMetadata().getName())
                .toList();
        String storeSecret = c.getEnv().stream()
                .filter(e -> e.getName().equals("DROVER_STORE"))
                .findFirst()
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getName();
        assertThat(storeSecret).startsWith("drover-store-").isIn(secrets);
        assertThat(pod.getVolumes())
                .anySatisfy(v -> assertThat(v.getSecret().getSecretName())
                        .startsWith("drover-tokens-")
                        .isIn(secrets));

        PodDisruptionBudget budget = Manifests.one(objects, PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        Service service = Manifests.one(objects, Service.class);
        assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        RoleBinding binding = Manifests.one(objects, RoleBinding.class);
        assertThat(binding.getRoleRef().getName())
                .isEqualTo(Manifests.one(objects, Role.class).getMetadata().getName());
        assertThat(binding.getSubjects().getFirst().getNamespace()).isEqualTo("drover");
    }

    @Test
    void theApiserverTakesTheExampleOverlayInAServerSideDryRun(
            TestGround ground, KubernetesClient admin, @TempDir Path dir) throws Exception {
        // A dry run of objects in a namespace that does not exist yet is refused, so it must exist.
        try {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName("drover")
                            .endMetadata()
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        // The ground is Kubernetes 1.20: PodDisruptionBudget is policy/v1beta1 there, so the example
        // goes through the shipped component for clusters older than 1.21.
        Path overlay = Manifests.kustomization(
                dir, List.of(EXAMPLE), List.of(Manifests.DEPLOY.resolve("components/policy-v1beta1")));

        Manifests.Kubectl k = Manifests.kubectl(
                dir,
                "--kubeconfig",
                ground.kubeconfig().toString(),
                "apply",
                "-k",
                overlay.toString(),
                "--dry-run=server");

        assertThat(k.exit()).as(k.output()).isZero();
        assertThat(k.output())
                .contains("deployment.apps/drover created (server dry run)")
                .contains("role.rbac.authorization.k8s.io/drover created (server dry run)")
                .contains("poddisruptionbudget.policy/drover created (server dry run)")
                .contains("service/drover created (server dry run)");
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace("drover")
                        .withName("drover")
                        .get())
                .as("a dry run creates nothing")
                .isNull();
    }
}
