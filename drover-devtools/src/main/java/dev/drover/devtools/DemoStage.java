package dev.drover.devtools;

import dev.drover.kube.EventView;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the demo's tasks run on: a fresh namespace, two simulated nodes serving it, and the feed of
 * its Events. Closing stops them (the nodes go; the namespace and its pods stay to be looked at).
 */
final class DemoStage implements AutoCloseable {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final String namespace;
    private KubernetesClient client;

    private DemoStage(String namespace) {
        this.namespace = namespace;
    }

    static DemoStage open(Config config, String namespace, DemoFeed feed) throws InterruptedException {
        DemoStage s = new DemoStage(namespace);
        try {
            s.client = s.keep(new KubernetesClientBuilder().withConfig(config).build());
            s.client
                    .namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(namespace)
                            .endMetadata()
                            .build())
                    .create();
            KubeApi api = s.keep(KubeApi.builder(config).build());
            s.keep(NodeSimulator.builder(s.client)
                    .nodes(2)
                    .nodeNamePrefix(namespace + "-node-")
                    .namespaces(namespace)
                    .fidelity(Fidelity.FULL)
                    .build()
                    .start());
            Informer<EventView> events = s.keep(Informer.events(api)
                    .namespaces(namespace)
                    .listener(feed::event)
                    .build()
                    .start());
            events.awaitSynced(Duration.ofSeconds(30));
            return s;
        } catch (RuntimeException | InterruptedException e) {
            s.close();
            throw e;
        }
    }

    /** A pod's log, through the apiserver from the simulated kubelet (so only while the stage stands). */
    String log(String pod) {
        return client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer("main")
                .getLog();
    }

    private <T extends AutoCloseable> T keep(T c) {
        opened.push(c);
        return c;
    }

    @Override
    public void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                System.err.println("demo: closing " + e);
            }
        }
    }
}
