package dev.drover.testkit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A least-privilege user of the test ground.
 *
 * @param userName the name the apiserver authenticates, e.g. {@code system:serviceaccount:ns:reader}
 */
public record TestUser(String userName, String namespace, String token, Config config) {

    /** A new client acting as this user; the caller closes it. */
    public KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
