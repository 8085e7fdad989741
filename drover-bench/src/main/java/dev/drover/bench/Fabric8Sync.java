package dev.drover.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code fabric8-informer}: fabric8's SharedIndexInformer with its defaults, one per namespace. */
final class Fabric8Sync implements ContenderRun.Sync {
    private final KubernetesClient client;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
    private final List<CompletableFuture<Void>> started = new ArrayList<>();

    Fabric8Sync(ContenderRun.Target t, List<String> namespaces) {
        this.client = new KubernetesClientBuilder()
                .withConfig(ContenderRun.fabric8Config(t))
                .build();
        this.namespaces = namespaces;
    }

    @Override
    public void start() {
        for (String ns : namespaces) {
            SharedIndexInformer<Pod> inf = client.pods().inNamespace(ns).runnableInformer(0);
            informers.add(inf);
            started.add(inf.start().toCompletableFuture());
        }
    }

    @Override
    public boolean awaitSynced(Duration timeout) throws Exception {
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    @Override
    public int size() {
        return informers.stream().mapToInt(i -> i.getStore().listKeys().size()).sum();
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        client.close();
    }
}
