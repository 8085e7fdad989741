package dev.drover.bench;

import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one contender's initial sync in this JVM and measures it: a warm-up sync of a small
 * namespace (class loading, JIT, client caches), full GCs, the measured sync, full GCs again.
 */
final class ContenderRun {
    private ContenderRun() {}

    /** Where the apiserver is and how to sync. */
    record Target(String server, String token, int pageSize, double qps, int burst) {}

    /** One contender's sync of a set of namespaces, started, awaited and closed. */
    interface Sync extends AutoCloseable {
        void start() throws Exception;

        /** Waits until the store is complete; false on timeout. */
        boolean awaitSynced(Duration timeout) throws Exception;

        /** Objects stored, -1 when nothing is stored. */
        int size();

        default long bodyBytes() {
            return -1;
        }

        default Map<String, Long> ownCounters() {
            return Map.of();
        }

        @Override
        void close();
    }

    static ContenderResult run(
            Contender c, Target t, List<String> namespaces, List<String> warmNamespaces, int expected, Duration timeout)
            throws Exception {
        try (KubeHttp admin = new KubeHttp(t.server(), t.token(), "drover-bench-metrics")) {
            long idleWatches = ApiServerMetrics.podRequests(admin).watchesOpen();
            if (!warmNamespaces.isEmpty()) {
                try (Sync warm = open(c, t, warmNamespaces)) {
                    warm.start();
                    warm.awaitSynced(timeout);
                }
            }
            ApiServerMetrics.PodRequests before = settledRequests(admin, idleWatches);
            long heap0 = settledHeap();
            long cpu0 = processCpuNanos();
            long alloc0 = allocatedBytes();
            long t0 = System.nanoTime();
            Sync sync = open(c, t, namespaces);
            String error = null;
            int stored;
            double syncMillis;
            long cpu1;
            long alloc1;
            long heap1;
            try {
                sync.start();
                boolean synced = sync.awaitSynced(timeout);
                syncMillis = (System.nanoTime() - t0) / 1e6;
                cpu1 = processCpuNanos();
                alloc1 = allocatedBytes();
                stored = sync.size();
                if (!synced) {
                    error = "not synced within " + timeout;
                } else if (stored >= 0 && stored != expected) {
                    error = "synced with " + stored + " pods, expected " + expected;
                }
                heap1 = settledHeap();
                Reference.reachabilityFence(sync);
            } finally {
                sync.close();
            }
            ApiServerMetrics.PodRequests made =
                    settledRequests(admin, idleWatches).minus(before);
            return new ContenderResult(
                    c.label,
                    namespaces.size(),
                    expected,
                    stored,
                    syncMillis,
                    heap0,
                    heap1,
                    (cpu1 - cpu0) / 1e6,
                    alloc1 - alloc0,
                    sync.bodyBytes(),
                    made.lists(),
                    made.watches(),
                    sync.ownCounters(),
                    error);
        }
    }

    static Sync open(Contender c, Target t, List<String> namespaces) {
        if (c.ours()) {
            return new Ours(c, t, namespaces);
        }
        return switch (c) {
            case FABRIC8 -> new Fabric8(t, namespaces);
            case CLIENT_JAVA -> new ClientJava(t, namespaces);
            case RAW_RV0 -> new Raw(t, namespaces, true);
            case RAW_CONSISTENT -> new Raw(t, namespaces, false);
            case RAW_PAGED -> new RawPaged(t, namespaces);
            default -> throw new IllegalArgumentException(c.label);
        };
    }

    /**
     * Waits until the watches this JVM opened have ended on the server too (the open-watch gauge is
     * back to {@code idleWatches}), so the counts are complete; then returns them.
     */
    private static ApiServerMetrics.PodRequests settledRequests(KubeHttp admin, long idleWatches)
            throws IOException, InterruptedException {
        ApiServerMetrics.PodRequests now = ApiServerMetrics.podRequests(admin);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (now.watchesOpen() > idleWatches && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = ApiServerMetrics.podRequests(admin);
        }
        return now;
    }

    /** Used heap after full GCs, once two readings in a row agree. */
    static long settledHeap() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long last = -1;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(50);
            long used = mem.getHeapMemoryUsage().getUsed();
            if (last >= 0 && Math.abs(used - last) < 256 * 1024) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tm
                ? tm.getTotalThreadAllocatedBytes()
                : 0;
    }

    static Config fabric8Config(Target t) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(t.server())
                .withOauthToken(t.token())
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                // The same patience for a big list as our engine's (5 min), not fabric8's 10 s default.
                .withRequestTimeout((int) TimeUnit.MINUTES.toMillis(5))
                .build();
    }

    // --- the contenders ---

    /** Our engine: one informer over all the namespaces, one stream each. */
    static final class Ours implements Sync {
        private final KubeApi api;
        private final Informer<PodView> informer;

        Ours(Contender c, Target t, List<String> namespaces) {
            this.api = KubeApi.builder(fabric8Config(t))
                    .qps(t.qps())
                    .burst(t.burst())
                    .build();
            this.informer = Informer.pods(api)
                    .namespaces(namespaces)
                    .initialList(c.strategy)
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

        private boolean closeHung;

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
                System.err.println(
                        "contender: KubeApi.close() still waiting after 10 s (an in-flight watch); going on");
            }
        }
    }

    /** fabric8's SharedIndexInformer with its defaults, one per namespace. */
    static final class Fabric8 implements Sync {
        private final KubernetesClient client;
        private final List<String> namespaces;
        private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
        private final List<java.util.concurrent.CompletableFuture<Void>> started = new ArrayList<>();

        Fabric8(Target t, List<String> namespaces) {
            this.client =
                    new KubernetesClientBuilder().withConfig(fabric8Config(t)).build();
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
                java.util.concurrent.CompletableFuture.allOf(
                                started.toArray(java.util.concurrent.CompletableFuture[]::new))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        @Override
        public int size() {
            return informers.stream()
                    .mapToInt(i -> i.getStore().listKeys().size())
                    .sum();
        }

        @Override
        public void close() {
            informers.forEach(SharedIndexInformer::close);
            client.close();
        }
    }

    /** The official client's informer (client-java 27), one factory per namespace. */
    static final class ClientJava implements Sync {
        private final ApiClient client;
        private final CoreV1Api core;
        private final List<String> namespaces;
        private final List<SharedInformerFactory> factories = new ArrayList<>();
        private final List<io.kubernetes.client.informer.SharedIndexInformer<V1Pod>> informers = new ArrayList<>();

        ClientJava(Target t, List<String> namespaces) {
            try {
                ApiClient c = new ClientBuilder()
                        .setBasePath(t.server())
                        .setVerifyingSsl(false)
                        .setAuthentication(new AccessTokenAuthentication(t.token()))
                        .build();
                // Watches are long reads: no read timeout (as client-java's informer examples do).
                c.setHttpClient(c.getHttpClient()
                        .newBuilder()
                        .readTimeout(0, TimeUnit.SECONDS)
                        .build());
                this.client = c;
            } catch (Exception e) {
                throw new IllegalStateException("client-java setup: " + e, e);
            }
            this.core = new CoreV1Api(client);
            this.namespaces = namespaces;
        }

        @Override
        public void start() {
            for (String ns : namespaces) {
                SharedInformerFactory f = new SharedInformerFactory(client);
                informers.add(f.sharedIndexInformerFor(
                        params -> core.listNamespacedPod(ns)
                                .resourceVersion(params.resourceVersion)
                                .timeoutSeconds(params.timeoutSeconds)
                                .watch(params.watch)
                                .buildCall(null),
                        V1Pod.class,
                        V1PodList.class));
                factories.add(f);
                f.startAllRegisteredInformers();
            }
        }

        @Override
        public boolean awaitSynced(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!informers.stream().allMatch(io.kubernetes.client.informer.SharedIndexInformer::hasSynced)) {
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
            client.getHttpClient().dispatcher().executorService().shutdownNow();
            client.getHttpClient().connectionPool().evictAll();
        }
    }

    /**
     * The floor for paginated lists: plain GETs with limit/continue, each read to the end; only the
     * list's metadata (which the apiserver writes before the items) is decoded, for the token.
     */
    static final class RawPaged implements Sync {
        private final KubeHttp http;
        private final List<String> namespaces;
        private final int pageSize;
        private long bytes;

        RawPaged(Target t, List<String> namespaces) {
            this.http = new KubeHttp(t.server(), t.token(), "drover-bench-raw");
            this.namespaces = namespaces;
            this.pageSize = t.pageSize();
        }

        @Override
        public void start() throws IOException, InterruptedException {
            byte[] buf = new byte[64 * 1024];
            for (String ns : namespaces) {
                String cont = null;
                do {
                    String q = "?limit=" + pageSize
                            + (cont == null
                                    ? ""
                                    : "&continue="
                                            + java.net.URLEncoder.encode(
                                                    cont, java.nio.charset.StandardCharsets.UTF_8));
                    try (InputStream in = http.open(KubeHttp.podsPath(ns) + q);
                            com.fasterxml.jackson.core.JsonParser p =
                                    new com.fasterxml.jackson.core.JsonFactory().createParser(in)) {
                        cont = continueToken(p);
                        // What the parser read so far: its position plus what it buffered beyond it.
                        bytes += p.currentLocation().getByteOffset()
                                + p.releaseBuffered(OutputStream.nullOutputStream());
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            bytes += n;
                        }
                    }
                } while (cont != null && !cont.isEmpty());
            }
        }

        /** Reads up to the end of the list's metadata object; returns its continue token. */
        private static String continueToken(com.fasterxml.jackson.core.JsonParser p) throws IOException {
            p.nextToken(); // the list object
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("metadata")) {
                    p.skipChildren();
                    continue;
                }
                String cont = null;
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String m = p.currentName();
                    p.nextToken();
                    if (m.equals("continue")) {
                        cont = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                return cont;
            }
            return null;
        }

        @Override
        public boolean awaitSynced(Duration timeout) {
            return true;
        }

        @Override
        public int size() {
            return -1;
        }

        @Override
        public long bodyBytes() {
            return bytes;
        }

        @Override
        public void close() {
            http.close();
        }
    }

    /** The floor: one plain GET per namespace read to the end, nothing decoded or kept. */
    static final class Raw implements Sync {
        private final KubeHttp http;
        private final List<String> namespaces;
        private final boolean fromWatchCache;
        private long bytes;

        Raw(Target t, List<String> namespaces, boolean fromWatchCache) {
            this.http = new KubeHttp(t.server(), t.token(), "drover-bench-raw");
            this.namespaces = namespaces;
            this.fromWatchCache = fromWatchCache;
        }

        @Override
        public void start() throws IOException, InterruptedException {
            byte[] buf = new byte[64 * 1024];
            for (String ns : namespaces) {
                String q = fromWatchCache ? "?resourceVersion=0" : "";
                try (InputStream in = http.open(KubeHttp.podsPath(ns) + q)) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        bytes += n;
                    }
                }
            }
        }

        @Override
        public boolean awaitSynced(Duration timeout) {
            return true;
        }

        @Override
        public int size() {
            return -1;
        }

        @Override
        public long bodyBytes() {
            return bytes;
        }

        @Override
        public void close() {
            http.close();
        }
    }
}
