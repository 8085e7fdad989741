package dev.drover.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test objects and a listener that records every delta. */
final class Fixtures {
    private Fixtures() {}

    static Pod pod(KubernetesClient client, String ns, String name, Map<String, String> labels) {
        return client.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("main")
                        .withImage("busybox")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
    }

    static Pod label(KubernetesClient client, String ns, String name, String key, String value) {
        return client.pods()
                .inNamespace(ns)
                .withName(name)
                .edit(p -> new PodBuilder(p)
                        .editMetadata()
                        .addToLabels(key, value)
                        .endMetadata()
                        .build());
    }

    static KubeApi api(String masterUrl, String token) {
        return api(masterUrl, token, new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
    }

    static KubeApi api(String masterUrl, String token, io.micrometer.core.instrument.MeterRegistry registry) {
        Config c = new ConfigBuilder(Config.empty())
                .withMasterUrl(masterUrl)
                .withOauthToken(token)
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .build();
        return KubeApi.builder(c).meterRegistry(registry).build();
    }

    /** Records deltas in arrival order. */
    static final class Recorder<T extends KubeObject> implements DeltaListener<T> {
        private final List<Delta<T>> deltas = new ArrayList<>();

        @Override
        public synchronized void onDelta(Delta<T> d) {
            deltas.add(d);
        }

        synchronized List<Delta<T>> all() {
            return List.copyOf(deltas);
        }

        synchronized List<String> describe() {
            List<String> out = new ArrayList<>();
            for (Delta<T> d : deltas) {
                out.add(
                        switch (d) {
                            case Delta.Added<T> a -> "added " + a.object().name();
                            case Delta.Modified<T> m -> "modified " + m.object().name();
                            case Delta.Deleted<T> x -> "deleted " + x.object().name();
                            case Delta.Synced<T> s -> "synced " + s.cause();
                        });
            }
            return out;
        }

        synchronized void clear() {
            deltas.clear();
        }
    }
}
