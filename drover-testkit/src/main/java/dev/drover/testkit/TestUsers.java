package dev.drover.testkit;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Mints restricted users: ServiceAccount + Role + RoleBinding + a TokenRequest token. */
final class TestUsers {
    private TestUsers() {}

    static TestUser mint(TestGround ground, String namespace, String name, List<RbacRule> rules) {
        try (KubernetesClient admin = ground.adminClient()) {
            admin.serviceAccounts()
                    .inNamespace(namespace)
                    .resource(new ServiceAccountBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .build())
                    .create();
            admin.rbac()
                    .roles()
                    .inNamespace(namespace)
                    .resource(new RoleBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withRules(rules.stream()
                                    .map(r -> new PolicyRuleBuilder()
                                            .withApiGroups(r.apiGroup())
                                            .withResources(r.resources())
                                            .withVerbs(r.verbs())
                                            .build())
                                    .toList())
                            .build())
                    .create();
            admin.rbac()
                    .roleBindings()
                    .inNamespace(namespace)
                    .resource(new RoleBindingBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                            .addNewSubject()
                            .withKind("ServiceAccount")
                            .withName(name)
                            .withNamespace(namespace)
                            .endSubject()
                            .build())
                    .create();
            TokenRequest request = new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(24L * 3600)
                    .endSpec()
                    .build();
            TokenRequest issued = admin.serviceAccounts()
                    .inNamespace(namespace)
                    .withName(name)
                    .tokenRequest(request);
            String token = issued.getStatus().getToken();
            return new TestUser(
                    "system:serviceaccount:" + namespace + ":" + name,
                    namespace,
                    token,
                    ground.configFor(token, namespace));
        }
    }
}
