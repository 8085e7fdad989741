package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.Delta;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watch throughput. Live: with our informer synced on a namespace and a raw watch of the same
 * namespace open, many concurrent label patches; how fast each consumer takes the events in.
 * Replay: the recorded list and watch stream played back from memory over loopback HTTP, so each
 * consumer (ours, the peers, a raw line reader, a raw reader that decodes every line into a tree)
 * runs as fast as its own decoding and bookkeeping allow.
 */
final class WatchThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(int pods, int events, int writers, int replayRounds, Duration timeout) {}

    /** One consumer's intake. */
    record Intake(String consumer, long events, double seconds, double eventsPerSecond, double lagMillis, long bytes) {}

    record Live(
            int pods,
            int events,
            int writers,
            double writeSeconds,
            double writesPerSecond,
            long writeFailures,
            Intake ours,
            Intake raw,
            double oursToRaw) {}

    record Replay(long events, long streamBytes, List<Intake> consumers) {}

    record Report(Live live, Replay replay) {}

    private final Options o;
    private final Progress progress;

    WatchThroughputBench(Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Report run() throws Exception {
        progress.say("watch-throughput: starting a test ground");
        TestGround ground = TestGround.builder()
                // The watch cache must hold every event of the run, or a late watch would need a relist.
                .apiServerFlag("--watch-cache-sizes=pods#" + (o.events() + o.pods() + 1000))
                .apiServerFlag("--max-requests-inflight=1000")
                .apiServerFlag("--max-mutating-requests-inflight=1000")
                .build();
        try (ground) {
            ground.start();
            String ns = ground.createNamespace("watch-throughput");
            try (KubeHttp http = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-writer")) {
                PodLoader.create(http, List.of(ns), 0, o.pods(), 32, progress);
                byte[] listBody = readAll(http.open(KubeHttp.podsPath(ns)));
                String rv = JSON.readTree(listBody)
                        .path("metadata")
                        .path("resourceVersion")
                        .asText();
                Live live = live(ground, http, ns, rv);
                Replay replay = replay(listBody, recorded.toByteArray(), ns);
                return new Report(live, replay);
            }
        }
    }

    // --- live ---

    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    private Live live(TestGround ground, KubeHttp http, String ns, String rv) throws Exception {
        AtomicLong rawEvents = new AtomicLong();
        AtomicLong rawLast = new AtomicLong();
        AtomicLong rawBytes = new AtomicLong();
        // Its own client (own connection), as our informer has: the writers' connection stays theirs.
        KubeHttp rawHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-raw-watch");
        InputStream rawStream = rawHttp.open(KubeHttp.podsPath(ns) + "?watch=true&resourceVersion=" + rv);
        Thread rawReader = Thread.ofVirtual().name("raw-watch").start(() -> {
            byte[] buf = new byte[64 * 1024];
            try (rawStream) {
                int n;
                while ((n = rawStream.read(buf)) >= 0) {
                    rawBytes.addAndGet(n);
                    recorded.write(buf, 0, n);
                    int lines = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                    if (lines > 0) {
                        rawLast.set(System.nanoTime());
                        if (rawEvents.addAndGet(lines) >= o.events()) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // closed at the end
            }
        });

        AtomicLong oursEvents = new AtomicLong();
        AtomicLong oursLast = new AtomicLong();
        KubeApi api = KubeApi.builder(ground.adminConfig()).build();
        Informer<PodView> informer = Informer.pods(api)
                .namespaces(ns)
                .listener(d -> {
                    if (d instanceof Delta.Modified<PodView>) {
                        oursEvents.incrementAndGet();
                        oursLast.set(System.nanoTime());
                    }
                })
                .build()
                .start();
        try {
            if (!informer.awaitSynced(o.timeout())) {
                throw new IllegalStateException("our informer did not sync within " + o.timeout());
            }
            progress.say("watch-throughput: %,d label patches from %d writers", o.events(), o.writers());
            AtomicInteger next = new AtomicInteger();
            AtomicLong failures = new AtomicLong();
            long t0 = System.nanoTime();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < o.writers(); w++) {
                writers.add(Thread.ofVirtual().start(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < o.events()) {
                        String pod = PodLoader.podName(i % o.pods());
                        try {
                            int code = http.patchLabel(ns, pod, "bench-seq", Integer.toString(i))
                                    .statusCode();
                            if (code != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                        progress.tick("patches", Math.min(next.get(), o.events()), o.events());
                    }
                }));
            }
            for (Thread t : writers) {
                t.join();
            }
            long t1 = System.nanoTime();
            progress.done();
            long expected = o.events() - failures.get();
            long deadline = System.nanoTime() + o.timeout().toNanos();
            while ((oursEvents.get() < expected || rawEvents.get() < expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Intake ours = intake("ours/list-then-watch", oursEvents.get(), t0, oursLast.get(), t1, -1);
            Intake raw = intake("raw watch (lines)", rawEvents.get(), t0, rawLast.get(), t1, rawBytes.get());
            double writeSeconds = (t1 - t0) / 1e9;
            return new Live(
                    o.pods(),
                    o.events(),
                    o.writers(),
                    writeSeconds,
                    o.events() / writeSeconds,
                    failures.get(),
                    ours,
                    raw,
                    ours.eventsPerSecond() / raw.eventsPerSecond());
        } finally {
            informer.close();
            api.close();
            rawStream.close();
            rawReader.join(5000);
            rawHttp.close();
        }
    }

    private static Intake intake(String who, long events, long t0, long last, long writesDone, long bytes) {
        double seconds = last == 0 ? Double.NaN : (last - t0) / 1e9;
        return new Intake(
                who, events, seconds, events / seconds, last == 0 ? Double.NaN : (last - writesDone) / 1e6, bytes);
    }

    // --- replay ---

    private Replay replay(byte[] listBody, byte[] stream, String ns) throws Exception {
        long events = 0;
        for (byte b : stream) {
            if (b == '\n') {
                events++;
            }
        }
        progress.say(
                "watch-throughput: replaying %,d recorded events (%,.1f MB) to each consumer, best of %d",
                events, stream.length / 1e6, o.replayRounds());
        List<Intake> out = new ArrayList<>();
        for (String consumer : List.of(
                "raw watch (lines)", "raw watch + Jackson tree", "ours", "fabric8-informer", "client-java-informer")) {
            Intake best = null;
            for (int round = 0; round < o.replayRounds(); round++) {
                Intake i = replayOnce(consumer, listBody, stream, ns, events);
                if (best == null || i.eventsPerSecond() > best.eventsPerSecond()) {
                    best = i;
                }
            }
            progress.say("  %-26s %,10.0f events/s", consumer, best.eventsPerSecond());
            out.add(best);
        }
        return new Replay(events, stream.length, out);
    }

    private Intake replayOnce(String consumer, byte[] listBody, byte[] stream, String ns, long events)
            throws Exception {
        try (ReplayServer server = new ReplayServer(listBody, stream)) {
            AtomicLong count = new AtomicLong();
            AtomicLong last = new AtomicLong();
            Runnable seen = () -> {
                if (count.incrementAndGet() == events) {
                    last.set(System.nanoTime());
                }
            };
            String watchPath = KubeHttp.podsPath(ns) + "?watch=true&resourceVersion=0";
            List<AutoCloseable> toClose = new ArrayList<>();
            try {
                switch (consumer) {
                    case "raw watch (lines)", "raw watch + Jackson tree" -> {
                        KubeHttp http = new KubeHttp(server.url(), null, "drover-bench-raw");
                        toClose.add(http);
                        boolean decode = consumer.contains("Jackson");
                        InputStream in = http.open(watchPath);
                        toClose.add(in);
                        Thread.ofVirtual().start(() -> readRaw(in, decode, seen, events));
                    }
                    case "ours" -> {
                        KubeApi api = KubeApi.builder(plainConfig(server.url())).build();
                        Informer<PodView> inf = Informer.pods(api)
                                .namespaces(ns)
                                .listener(d -> {
                                    if (d instanceof Delta.Modified<PodView>) {
                                        seen.run();
                                    }
                                })
                                .build()
                                .start();
                        toClose.add(api);
                        toClose.add(inf);
                    }
                    case "fabric8-informer" -> {
                        // Against a real apiserver fabric8 watches over a websocket; the replay speaks plain HTTP.
                        Config config = plainConfig(server.url());
                        config.setOnlyHttpWatches(true);
                        KubernetesClient client =
                                new KubernetesClientBuilder().withConfig(config).build();
                        SharedIndexInformer<Pod> inf =
                                client.pods().inNamespace(ns).runnableInformer(0);
                        inf.addEventHandler(new ResourceEventHandler<Pod>() {
                            @Override
                            public void onAdd(Pod obj) {}

                            @Override
                            public void onUpdate(Pod oldObj, Pod newObj) {
                                seen.run();
                            }

                            @Override
                            public void onDelete(Pod obj, boolean deletedFinalStateUnknown) {}
                        });
                        inf.start();
                        toClose.add(client);
                        toClose.add(inf);
                    }
                    case "client-java-informer" -> {
                        ApiClient c =
                                new ClientBuilder().setBasePath(server.url()).build();
                        c.setHttpClient(c.getHttpClient()
                                .newBuilder()
                                .readTimeout(0, TimeUnit.SECONDS)
                                .build());
                        CoreV1Api core = new CoreV1Api(c);
                        SharedInformerFactory f = new SharedInformerFactory(c);
                        io.kubernetes.client.informer.SharedIndexInformer<V1Pod> inf = f.sharedIndexInformerFor(
                                p -> core.listNamespacedPod(ns)
                                        .resourceVersion(p.resourceVersion)
                                        .timeoutSeconds(p.timeoutSeconds)
                                        .watch(p.watch)
                                        .buildCall(null),
                                V1Pod.class,
                                V1PodList.class);
                        inf.addEventHandler(new io.kubernetes.client.informer.ResourceEventHandler<V1Pod>() {
                            @Override
                            public void onAdd(V1Pod obj) {}

                            @Override
                            public void onUpdate(V1Pod oldObj, V1Pod newObj) {
                                seen.run();
                            }

                            @Override
                            public void onDelete(V1Pod obj, boolean deletedFinalStateUnknown) {}
                        });
                        f.startAllRegisteredInformers();
                        toClose.add(() -> {
                            f.stopAllRegisteredInformers();
                            c.getHttpClient().dispatcher().executorService().shutdownNow();
                            c.getHttpClient().connectionPool().evictAll();
                        });
                    }
                    default -> throw new IllegalArgumentException(consumer);
                }
                long deadline = System.nanoTime() + o.timeout().toNanos();
                while (last.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long start = server.streamStartNanos();
                long end = last.get();
                double seconds = end == 0 || start == 0 ? Double.NaN : (end - start) / 1e9;
                return new Intake(consumer, count.get(), seconds, count.get() / seconds, Double.NaN, stream.length);
            } finally {
                for (int i = toClose.size() - 1; i >= 0; i--) {
                    try {
                        toClose.get(i).close();
                    } catch (Exception ignored) {
                        // best effort
                    }
                }
            }
        }
    }

    private static void readRaw(InputStream in, boolean decode, Runnable seen, long events) {
        try (in) {
            if (decode) {
                try (MappingIterator<JsonNode> it =
                        JSON.readerFor(JsonNode.class).readValues(in)) {
                    long n = 0;
                    while (n < events && it.hasNextValue()) {
                        it.nextValue();
                        seen.run();
                        n++;
                    }
                }
                return;
            }
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        seen.run();
                    }
                }
            }
        } catch (IOException e) {
            // closed at the end
        }
    }

    private static Config plainConfig(String url) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withRequestTimeout(60_000)
                .build();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    // --- tables ---

    static String tables(Report r) {
        Live l = r.live();
        StringBuilder sb = new StringBuilder();
        Table live = new Table(
                String.format(
                        "watch-throughput, live: %,d label patches over %,d pods from %d writers in %.1f s (%,.0f writes/s, %d failed)",
                        l.events(), l.pods(), l.writers(), l.writeSeconds(), l.writesPerSecond(), l.writeFailures()),
                "consumer",
                "events",
                "seconds",
                "events/s",
                "lag after last write ms");
        for (Intake i : List.of(l.ours(), l.raw())) {
            live.row(
                    i.consumer(),
                    i.events(),
                    Table.num(i.seconds(), 2),
                    Table.num(i.eventsPerSecond(), 0),
                    Table.num(i.lagMillis(), 0));
        }
        sb.append(live.render()).append(String.format("ours ÷ raw (events/s): %.2f×%n%n", l.oursToRaw()));
        Replay p = r.replay();
        double rawRate = p.consumers().get(0).eventsPerSecond();
        Table replay = new Table(
                String.format(
                        "watch-throughput, replay: the recorded %,d events (%,.1f MB) played back from memory over loopback",
                        p.events(), p.streamBytes() / 1e6),
                "consumer",
                "events",
                "seconds",
                "events/s",
                "MB/s",
                "÷ raw lines");
        for (Intake i : p.consumers()) {
            replay.row(
                    i.consumer(),
                    i.events(),
                    Table.num(i.seconds(), 3),
                    Table.num(i.eventsPerSecond(), 0),
                    Table.num(p.streamBytes() / 1e6 / i.seconds(), 0),
                    Table.ratio(i.eventsPerSecond() / rawRate));
        }
        sb.append(replay.render());
        return sb.toString();
    }
}
