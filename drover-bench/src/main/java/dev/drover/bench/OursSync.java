package dev.drover.bench;

import dev.drover.kube.Informer;
import dev.drover.kube.InitialList;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our engine, one informer over all the namespaces (one stream each), with the initial-list strategy
 * of the contender: {@code ours/list-then-watch}, {@code ours/paginated}, {@code
 * ours/watch-after-first-page} or {@code ours/streaming} — one class, since they differ only there.
 */
final class OursSync implements ContenderRun.Sync {
    private final KubeApi api;
    private final Informer<PodView> informer;
    private boolean closeHung;

    OursSync(InitialList strategy, ContenderRun.Target t, List<String> namespaces) {
        this.api = KubeApi.builder(ContenderRun.fabric8Config(t))
                .qps(t.qps())
                .burst(t.burst())
                .build();
        this.informer = Informer.pods(api)
                .namespaces(namespaces)
                .initialList(strategy)
                .pageSize(t.pageSize())
                .build();
    }

    @Override
    public void start() {
        informer.start();
    }

    @Override
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return informer.awaitSynced(timeout);
    }

    @Override
    public int size() {
        return informer.store().size();
    }

    @Override
    public Map<String, Long> ownCounters() {
        Map<String, Long> m = new LinkedHashMap<>(api.counters().requests());
        m.put("relists", informer.counters().relists());
        m.put("gone410", informer.counters().gone410());
        m.put("streamingFallbacks", informer.counters().streamingFallbacks());
        m.put("apiCloseHung", closeHung ? 1L : 0L);
        return m;
    }

    @Override
    public void close() {
        informer.close();
        // KubeApi.close() is HttpClient.close(), which waits for every exchange in flight: a watch
        // opened while the informer closed stays open until the server ends it (5-10 min). Bounded here.
        Thread closer = Thread.ofPlatform().daemon().start(api::close);
        try {
            closer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            closeHung = true;
            System.err.println("contender: KubeApi.close() still waiting after 10 s (an in-flight watch); going on");
        }
    }
}
