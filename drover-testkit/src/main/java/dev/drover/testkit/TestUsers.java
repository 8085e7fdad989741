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
            bind(admin, namespace, name, namespace, rules);
            String token = token(admin, namespace, name);
            return new TestUser(
                    "system:serviceaccount:" + namespace + ":" + name,
                    namespace,
                    token,
                    ground.configFor(token, namespace));
        }
    }

    /** A day's token of the ServiceAccount {@code namespace/name} (TokenRequest). */
    static String token(TestGround ground, String namespace, String name) {
        try (KubernetesClient admin = ground.adminClient()) {
            return token(admin, namespace, name);
        }
    }

    private static String token(KubernetesClient admin, String namespace, String name) {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(24L * 3600)
                .endSpec()
                .build();
        TokenRequest issued =
                admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
        return issued.getStatus().getToken();
    }

    /** Lets {@code user} do what {@code rules} grant in {@code namespace} as well. */
    static void grant(TestGround ground, TestUser user, String namespace, List<RbacRule> rules) {
        String account = user.userName().substring(user.userName().lastIndexOf(':') + 1);
        try (KubernetesClient admin = ground.adminClient()) {
            bind(admin, namespace, account, user.namespace(), rules);
        }
    }

    /** A Role named after the ServiceAccount in {@code namespace}, bound to it. */
    private static void bind(
            KubernetesClient admin, String namespace, String account, String accountNamespace, List<RbacRule> rules) {
        admin.rbac()
                .roles()
                .inNamespace(namespace)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName(account)
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
                        .withName(account)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", account)
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(account)
                        .withNamespace(accountNamespace)
                        .endSubject()
                        .build())
                .create();
    }
}
