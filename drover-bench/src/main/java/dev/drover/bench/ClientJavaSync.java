package dev.drover.bench;

import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code client-java-informer}: the official client's informer (client-java 27) with its defaults,
 * one factory per namespace. Its setup and shutdown also serve the watch-throughput replay.
 */
final class ClientJavaSync implements ContenderRun.Sync {
    private final ApiClient client;
    private final CoreV1Api core;
    private final List<String> namespaces;
    private final List<SharedInformerFactory> factories = new ArrayList<>();
    private final List<SharedIndexInformer<V1Pod>> informers = new ArrayList<>();

    ClientJavaSync(ContenderRun.Target t, List<String> namespaces) {
        try {
            this.client = withoutReadTimeout(new ClientBuilder()
                    .setBasePath(t.server())
                    .setVerifyingSsl(false)
                    .setAuthentication(new AccessTokenAuthentication(t.token()))
                    .build());
        } catch (Exception e) {
            throw new IllegalStateException("client-java setup: " + e, e);
        }
        this.core = new CoreV1Api(client);
        this.namespaces = namespaces;
    }

    /** Watches are long reads: no read timeout (as client-java's informer examples do). */
    static ApiClient withoutReadTimeout(ApiClient c) {
        c.setHttpClient(
                c.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
        return c;
    }

    /** The informer of one namespace's pods, as client-java's examples build it (list at rv=0, no bookmarks). */
    static SharedIndexInformer<V1Pod> podInformer(SharedInformerFactory f, CoreV1Api core, String ns) {
        return f.sharedIndexInformerFor(
                params -> core.listNamespacedPod(ns)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null),
                V1Pod.class,
                V1PodList.class);
    }

    /** Ends the client's threads and connections (an ApiClient has no close). */
    static void release(ApiClient c) {
        c.getHttpClient().dispatcher().executorService().shutdownNow();
        c.getHttpClient().connectionPool().evictAll();
    }

    @Override
    public void start() {
        for (String ns : namespaces) {
            SharedInformerFactory f = new SharedInformerFactory(client);
            informers.add(podInformer(f, core, ns));
            factories.add(f);
            f.startAllRegisteredInformers();
        }
    }

    @Override
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    @Override
    public int size() {
        return informers.stream()
                .mapToInt(i -> i.getIndexer().listKeys().size())
                .sum();
    }

    @Override
    public void close() {
        factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
        release(client);
    }
}
