package dev.drover.bench;

import dev.drover.kube.Delta;
import dev.drover.kube.Informer;
import dev.drover.kube.InitialList;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An informer under the churn's 410 storm, ours or fabric8's, with the {@link DeltaLedger} of what
 * its listener was told; the bench treats both alike: start, sync, canary, store, relists.
 */
abstract sealed class ChurnInformer implements AutoCloseable permits ChurnInformer.Ours, ChurnInformer.Fabric8 {
    final DeltaLedger ledger = new DeltaLedger();

    /** As the table names it. */
    abstract String name();

    /** Where the audit log's user agent of its client begins. */
    abstract String userAgentPrefix();

    abstract void start();

    abstract boolean awaitSynced(Duration timeout) throws Exception;

    /** Its store: name -> resourceVersion. */
    abstract Map<String, String> store();

    /** Whether its store shows {@code namespace/name} labelled {@code label=value}. */
    abstract boolean shows(String namespace, String name, String label, String value);

    /** Relists it made; {@code auditCounts}: its client's pod list/watch requests in the audit log. */
    abstract long relists(Map<String, Long> auditCounts);

    /** 410 answers it counted itself, -1 when it does not count them. */
    abstract long gone410();

    @Override
    public abstract void close();

    /** Our engine with its defaults and the initial-list strategy asked for. */
    static final class Ours extends ChurnInformer {
        private final InitialList strategy;
        private final Informer<PodView> informer;

        Ours(KubeApi api, String namespace, InitialList strategy) {
            this.strategy = strategy;
            this.informer = Informer.pods(api)
                    .namespaces(namespace)
                    .initialList(strategy)
                    .listener(d -> {
                        switch (d) {
                            case Delta.Added<PodView> a ->
                                ledger.added(
                                        a.object().name(),
                                        a.object().uid(),
                                        a.object().resourceVersion());
                            case Delta.Modified<PodView> m ->
                                ledger.updated(
                                        m.object().name(),
                                        m.object().uid(),
                                        m.object().resourceVersion());
                            case Delta.Deleted<PodView> x ->
                                ledger.deleted(x.object().name());
                            case Delta.Synced<PodView> s -> {}
                        }
                    })
                    .build();
        }

        @Override
        String name() {
            return "ours/" + strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @Override
        String userAgentPrefix() {
            return "Java-http-client";
        }

        @Override
        void start() {
            informer.start();
        }

        @Override
        boolean awaitSynced(Duration timeout) throws InterruptedException {
            return informer.awaitSynced(timeout);
        }

        @Override
        Map<String, String> store() {
            Map<String, String> m = new HashMap<>();
            informer.store().list().forEach(p -> m.put(p.name(), p.resourceVersion()));
            return m;
        }

        @Override
        boolean shows(String namespace, String name, String label, String value) {
            return informer.store()
                    .get(namespace + "/" + name)
                    .map(p -> value.equals(p.labels().get(label)))
                    .orElse(false);
        }

        @Override
        long relists(Map<String, Long> auditCounts) {
            return informer.counters().relists();
        }

        @Override
        long gone410() {
            return informer.counters().gone410();
        }

        @Override
        public void close() {
            informer.close();
        }
    }

    /** fabric8's SharedIndexInformer with its defaults; it counts no relists, so the audit log does. */
    static final class Fabric8 extends ChurnInformer {
        private final SharedIndexInformer<Pod> informer;
        private CompletableFuture<Void> started;

        Fabric8(KubernetesClient client, String namespace) {
            this.informer = client.pods().inNamespace(namespace).runnableInformer(0);
            informer.addEventHandler(new ResourceEventHandler<Pod>() {
                @Override
                public void onAdd(Pod p) {
                    ledger.added(name(p), p.getMetadata().getUid(), rv(p));
                }

                @Override
                public void onUpdate(Pod old, Pod p) {
                    ledger.updated(name(p), p.getMetadata().getUid(), rv(p));
                }

                @Override
                public void onDelete(Pod p, boolean finalStateUnknown) {
                    ledger.deleted(name(p));
                }
            });
        }

        private static String name(Pod p) {
            return p.getMetadata().getName();
        }

        private static String rv(Pod p) {
            return p.getMetadata().getResourceVersion();
        }

        @Override
        String name() {
            return "fabric8-informer";
        }

        @Override
        String userAgentPrefix() {
            return "fabric8";
        }

        @Override
        void start() {
            started = informer.start().toCompletableFuture();
        }

        @Override
        boolean awaitSynced(Duration timeout) throws Exception {
            try {
                started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            }
        }

        @Override
        Map<String, String> store() {
            Map<String, String> m = new HashMap<>();
            informer.getStore().list().forEach(p -> m.put(name(p), rv(p)));
            return m;
        }

        @Override
        boolean shows(String namespace, String name, String label, String value) {
            Pod p = informer.getStore().getByKey(namespace + "/" + name);
            return p != null
                    && p.getMetadata().getLabels() != null
                    && value.equals(p.getMetadata().getLabels().get(label));
        }

        @Override
        long relists(Map<String, Long> auditCounts) {
            return Math.max(0, auditCounts.getOrDefault("list", 0L) - 1); // every LIST after the first
        }

        @Override
        long gone410() {
            return -1;
        }

        @Override
        public void close() {
            informer.close();
        }
    }
}
