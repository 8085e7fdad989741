package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.Delta;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
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
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replay half of watch-throughput: the recorded list and watch stream played back from memory
 * over loopback HTTP ({@link ReplayServer}) to each consumer alone — raw lines, raw + Jackson tree,
 * ours, fabric8's informer, client-java's — so each runs as fast as its own decoding and bookkeeping
 * allow; the best of the rounds counts.
 */
final class WatchThroughputReplay {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WatchThroughputBench.Options o;
    private final Progress progress;

    WatchThroughputReplay(WatchThroughputBench.Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    WatchThroughputBench.Replay run(byte[] listBody, byte[] stream, String ns) throws Exception {
        long events = 0;
        for (byte b : stream) {
            if (b == '\n') {
                events++;
            }
        }
        progress.say(
                "watch-throughput: replaying %,d recorded events (%,.1f MB) to each consumer, best of %d",
                events, stream.length / 1e6, o.replayRounds());
        List<WatchThroughputBench.Intake> out = new ArrayList<>();
        for (String consumer : List.of(
                "raw watch (lines)", "raw watch + Jackson tree", "ours", "fabric8-informer", "client-java-informer")) {
            WatchThroughputBench.Intake best = null;
            for (int round = 0; round < o.replayRounds(); round++) {
                WatchThroughputBench.Intake i = replayOnce(consumer, listBody, stream, ns, events);
                if (best == null || i.eventsPerSecond() > best.eventsPerSecond()) {
                    best = i;
                }
            }
            progress.say("  %-26s %,10.0f events/s", consumer, best.eventsPerSecond());
            out.add(best);
        }
        return new WatchThroughputBench.Replay(events, stream.length, out);
    }

    private WatchThroughputBench.Intake replayOnce(
            String consumer, byte[] listBody, byte[] stream, String ns, long events) throws Exception {
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
                        ApiClient c = ClientJavaSync.withoutReadTimeout(
                                new ClientBuilder().setBasePath(server.url()).build());
                        SharedInformerFactory f = new SharedInformerFactory(c);
                        io.kubernetes.client.informer.SharedIndexInformer<V1Pod> inf =
                                ClientJavaSync.podInformer(f, new CoreV1Api(c), ns);
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
                            ClientJavaSync.release(c);
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
                return new WatchThroughputBench.Intake(
                        consumer, count.get(), seconds, count.get() / seconds, Double.NaN, stream.length);
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
}
