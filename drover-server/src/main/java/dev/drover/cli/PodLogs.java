package dev.drover.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import java.io.PrintStream;

/**
 * A pod's container log through the apiserver (fabric8). Apart from the command class on purpose:
 * picocli links every command class at start-up, and linking code that uses fabric8 types loads
 * hundreds of fabric8 classes into commands that never talk to a cluster.
 */
final class PodLogs {
    private PodLogs() {}

    static void print(
            KubeTarget target,
            String namespace,
            String pod,
            String container,
            boolean follow,
            Integer tail,
            PrintStream out) {
        Config config = target.config();
        config.setRequestRetryBackoffLimit(0); // a refused connection is an answer, not a wait of 20 s
        try (KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build()) {
            ContainerResource op =
                    client.pods().inNamespace(namespace).withName(pod).inContainer(container);
            try {
                if (follow) {
                    try (var w = (tail == null ? op : op.tailingLines(tail)).watchLog(out)) {
                        w.onClose().toCompletableFuture().join();
                    }
                } else {
                    out.print(tail == null ? op.getLog() : op.tailingLines(tail).getLog());
                }
            } catch (RuntimeException e) {
                throw new CliFailure("apiserver " + client.getMasterUrl() + ": log of pod " + namespace + "/" + pod, e);
            }
        }
    }
}
