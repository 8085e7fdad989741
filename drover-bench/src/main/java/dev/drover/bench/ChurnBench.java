package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.Delta;
import dev.drover.kube.Informer;
import dev.drover.kube.InitialList;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Churn under a 410 storm: pods created, patched and deleted all the time while kube-apiserver is
 * restarted every few seconds (its watch cache starts past every client's resourceVersion), our
 * informer and fabric8's running throughout. At the end, once writes stop, each informer's store
 * and the picture its deltas add up to are compared with a fresh list from the server.
 */
final class ChurnBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the ground makes clients relist. */
    enum Variant {
        /** Watch cache on; each restart starts a new cache past every resourceVersion clients hold. */
        restart,
        /** Watch cache off, etcd compacted every few seconds and at each restart: 410 straight from etcd. */
        nocache_compaction
    }

    record Options(
            List<Variant> variants,
            Duration duration,
            Duration restartEvery,
            int pool,
            int opsPerSecond,
            int writers,
            Duration quietTimeout,
            InitialList oursStrategy) {}

    record InformerOutcome(
            String informer,
            long deltas,
            long relists,
            long gone410,
            long duplicates,
            long regressions,
            int missedInStore,
            int missedInDeltas,
            double convergedSeconds,
            double maxCanaryLagSeconds,
            double meanCanaryLagSeconds,
            int canaryTimeouts,
            long listRequests,
            long watchRequests) {}

    record VariantResult(
            String variant,
            double seconds,
            long writesOk,
            long writesFailed,
            int restarts,
            double meanRestartSeconds,
            int serverPodsAtEnd,
            List<InformerOutcome> informers,
            Map<String, Map<String, Long>> auditByUserAgent) {}

    record Report(List<VariantResult> variants) {}

    private final Options o;
    private final Progress progress;

    ChurnBench(Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Report run() throws Exception {
        List<VariantResult> out = new ArrayList<>();
        for (Variant v : o.variants()) {
            out.add(runVariant(v));
        }
        return new Report(out);
    }

    private VariantResult runVariant(Variant v) throws Exception {
        TestGround.Builder b = TestGround.builder().auditLog(true);
        if (v == Variant.nocache_compaction) {
            b.watchCache(false).etcdCompactionInterval(Duration.ofSeconds(5));
        }
        progress.say("churn (%s): starting a test ground", v);
        TestGround ground = b.build();
        try (ground) {
            ground.start();
            String ns = ground.createNamespace("churn");
            KubeHttp http = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-churn-writer");
            KubeApi api = KubeApi.builder(ground.adminConfig()).build();
            KubernetesClient fabric8 = new KubernetesClientBuilder()
                    .withConfig(ground.adminConfig())
                    .build();
            Informer<PodView> ours = null;
            SharedIndexInformer<Pod> theirs = null;
            try {
                PodLoader.create(http, List.of(ns), 0, o.pool(), 16, progress);
                createRetrying(http, ns, "canary");
                Map<String, Boolean> live = new ConcurrentHashMap<>();
                for (int i = 0; i < o.pool(); i++) {
                    live.put(PodLoader.podName(i), true);
                }

                DeltaLedger oursLedger = new DeltaLedger();
                ours = Informer.pods(api)
                        .namespaces(ns)
                        .initialList(o.oursStrategy())
                        .listener(d -> {
                            switch (d) {
                                case Delta.Added<PodView> a ->
                                    oursLedger.added(
                                            a.object().name(),
                                            a.object().uid(),
                                            a.object().resourceVersion());
                                case Delta.Modified<PodView> m ->
                                    oursLedger.updated(
                                            m.object().name(),
                                            m.object().uid(),
                                            m.object().resourceVersion());
                                case Delta.Deleted<PodView> x ->
                                    oursLedger.deleted(x.object().name());
                                case Delta.Synced<PodView> s -> {}
                            }
                        })
                        .build()
                        .start();
                DeltaLedger theirLedger = new DeltaLedger();
                theirs = fabric8.pods().inNamespace(ns).runnableInformer(0);
                theirs.addEventHandler(new ResourceEventHandler<Pod>() {
                    @Override
                    public void onAdd(Pod p) {
                        theirLedger.added(name(p), p.getMetadata().getUid(), rv(p));
                    }

                    @Override
                    public void onUpdate(Pod old, Pod p) {
                        theirLedger.updated(name(p), p.getMetadata().getUid(), rv(p));
                    }

                    @Override
                    public void onDelete(Pod p, boolean finalStateUnknown) {
                        theirLedger.deleted(name(p));
                    }
                });
                theirs.start().toCompletableFuture().get();
                if (!ours.awaitSynced(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("our informer did not sync");
                }

                // --- churn ---
                AtomicLong ok = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                AtomicLong created = new AtomicLong(o.pool());
                long t0 = System.nanoTime();
                long end = t0 + o.duration().toNanos();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < o.writers(); w++) {
                    writers.add(Thread.ofVirtual()
                            .name("churn-writer-" + w)
                            .start(() -> writeLoop(http, ns, live, created, ok, failed, end)));
                }
                final Informer<PodView> oursF = ours;
                final SharedIndexInformer<Pod> theirsF = theirs;
                List<Double> restartSeconds = new ArrayList<>();
                List<Double> oursLag = new ArrayList<>();
                List<Double> theirLag = new ArrayList<>();
                int restarts = 0;
                long nextRestart = t0 + o.restartEvery().toNanos();
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    if (now >= nextRestart && end - now > Duration.ofSeconds(3).toNanos()) {
                        restarts++;
                        long r0 = System.nanoTime();
                        ground.stopApiServer();
                        // etcd moves on while the apiserver is away (other resources' writes in a real
                        // cluster): every resourceVersion a client holds is now behind the new cache.
                        ground.bumpEtcdRevision();
                        // Twice: a compaction at R' must leave the resumed watch's start (client's RV + 1) behind.
                        ground.bumpEtcdRevision();
                        if (v == Variant.nocache_compaction) {
                            ground.compactEtcd();
                        }
                        ground.restartApiServerAfterStop();
                        restartSeconds.add((System.nanoTime() - r0) / 1e9);
                        progress.say(
                                "churn (%s): restart %d took %.1f s; %,d writes ok, %,d failed so far",
                                v, restarts, restartSeconds.get(restartSeconds.size() - 1), ok.get(), failed.get());
                        String mark = "r" + restarts;
                        String canaryRv = patchCanary(http, ns, mark);
                        if (canaryRv != null) {
                            long c0 = System.nanoTime();
                            Duration limit = o.restartEvery();
                            oursLag.add(waitFor(
                                    () -> oursF.store()
                                            .get(ns + "/canary")
                                            .map(p -> mark.equals(p.labels().get("bench-canary")))
                                            .orElse(false),
                                    c0,
                                    limit));
                            theirLag.add(waitFor(
                                    () -> {
                                        Pod p = theirsF.getStore().getByKey(ns + "/canary");
                                        return p != null
                                                && p.getMetadata().getLabels() != null
                                                && mark.equals(p.getMetadata()
                                                        .getLabels()
                                                        .get("bench-canary"));
                                    },
                                    c0,
                                    limit));
                        }
                        nextRestart = System.nanoTime() + o.restartEvery().toNanos();
                    }
                    Thread.sleep(50);
                }
                for (Thread t : writers) {
                    t.join();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                progress.say(
                        "churn (%s): writes stopped after %.0f s (%,d ok, %,d failed, %d restarts); waiting for quiet",
                        v, seconds, ok.get(), failed.get(), restarts);

                // --- quiet: compare with the server ---
                long q0 = System.nanoTime();
                long quietEnd = q0 + o.quietTimeout().toNanos();
                double oursConverged = Double.NaN;
                double theirConverged = Double.NaN;
                Map<String, String> server = Map.of();
                int oursStoreDiff = -1;
                int oursDeltaDiff = -1;
                int theirStoreDiff = -1;
                int theirDeltaDiff = -1;
                while (true) {
                    server = serverPods(http, ns);
                    oursStoreDiff = DeltaLedger.differences(server, oursStore(oursF));
                    oursDeltaDiff = DeltaLedger.differences(server, oursLedger.view());
                    theirStoreDiff = DeltaLedger.differences(server, theirStore(theirsF));
                    theirDeltaDiff = DeltaLedger.differences(server, theirLedger.view());
                    double t = (System.nanoTime() - q0) / 1e9;
                    if (Double.isNaN(oursConverged) && oursStoreDiff == 0 && oursDeltaDiff == 0) {
                        oursConverged = t;
                    }
                    if (Double.isNaN(theirConverged) && theirStoreDiff == 0 && theirDeltaDiff == 0) {
                        theirConverged = t;
                    }
                    if ((!Double.isNaN(oursConverged) && !Double.isNaN(theirConverged))
                            || System.nanoTime() > quietEnd) {
                        break;
                    }
                    Thread.sleep(200);
                }
                Map<String, Map<String, Long>> audit = auditByUserAgent(ground);
                Map<String, Long> oursAudit = audit.getOrDefault(userAgentOf(audit, "Java-http-client"), Map.of());
                Map<String, Long> theirAudit = audit.getOrDefault(userAgentOf(audit, "fabric8"), Map.of());
                List<InformerOutcome> informers = List.of(
                        new InformerOutcome(
                                "ours/" + o.oursStrategy().name().toLowerCase().replace('_', '-'),
                                oursLedger.deltas(),
                                ours.counters().relists(),
                                ours.counters().gone410(),
                                oursLedger.duplicates(),
                                oursLedger.regressions(),
                                oursStoreDiff,
                                oursDeltaDiff,
                                oursConverged,
                                max(oursLag),
                                mean(oursLag),
                                timeouts(oursLag),
                                oursAudit.getOrDefault("list", 0L),
                                oursAudit.getOrDefault("watch", 0L)),
                        new InformerOutcome(
                                "fabric8-informer",
                                theirLedger.deltas(),
                                Math.max(0, theirAudit.getOrDefault("list", 0L) - 1),
                                -1,
                                theirLedger.duplicates(),
                                theirLedger.regressions(),
                                theirStoreDiff,
                                theirDeltaDiff,
                                theirConverged,
                                max(theirLag),
                                mean(theirLag),
                                timeouts(theirLag),
                                theirAudit.getOrDefault("list", 0L),
                                theirAudit.getOrDefault("watch", 0L)));
                return new VariantResult(
                        v.name().replace('_', '+'),
                        seconds,
                        ok.get(),
                        failed.get(),
                        restarts,
                        mean(restartSeconds),
                        server.size(),
                        informers,
                        audit);
            } finally {
                if (ours != null) {
                    ours.close();
                }
                if (theirs != null) {
                    theirs.close();
                }
                fabric8.close();
                api.close();
                http.close();
            }
        }
    }

    private void writeLoop(
            KubeHttp http,
            String ns,
            Map<String, Boolean> live,
            AtomicLong created,
            AtomicLong ok,
            AtomicLong failed,
            long end) {
        long perWriterGapNanos = 1_000_000_000L * o.writers() / Math.max(1, o.opsPerSecond());
        long next = System.nanoTime();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            try {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                next += perWriterGapNanos;
                int roll = rnd.nextInt(100);
                boolean success;
                if (live.size() < o.pool() * 8 / 10 || roll < 30) {
                    String name = "c-" + created.getAndIncrement();
                    int code = http.createPod(ns, name, Map.of("app", "churn"));
                    success = code == 201;
                    if (success) {
                        live.put(name, true);
                    }
                } else {
                    String name = any(live, rnd);
                    if (name == null) {
                        continue;
                    }
                    if (roll < 80) {
                        int code = http.patchLabel(ns, name, "bench-seq", Long.toString(rnd.nextLong(1_000_000)))
                                .statusCode();
                        success = code == 200;
                        if (code == 404) {
                            live.remove(name);
                        }
                    } else {
                        live.remove(name);
                        int code = http.deletePod(ns, name);
                        success = code == 200 || code == 202;
                        if (!success && code != 404) {
                            live.put(name, true); // not known to be gone
                        }
                    }
                }
                (success ? ok : failed).incrementAndGet();
                if (!success) {
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String any(Map<String, Boolean> live, ThreadLocalRandom rnd) {
        List<String> names = new ArrayList<>(live.keySet());
        return names.isEmpty() ? null : names.get(rnd.nextInt(names.size()));
    }

    private static void createRetrying(KubeHttp http, String ns, String name) throws Exception {
        for (int i = 0; i < 20; i++) {
            int code = http.createPod(ns, name, Map.of("app", "canary"));
            if (code == 201 || code == 409) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("could not create " + ns + "/" + name);
    }

    /** Labels the canary pod; returns its new resourceVersion, or null when the server did not take it. */
    private static String patchCanary(KubeHttp http, String ns, String mark) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            try {
                var r = http.patchLabel(ns, "canary", "bench-canary", mark);
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body())
                            .path("metadata")
                            .path("resourceVersion")
                            .asText();
                }
            } catch (IOException e) {
                // not quite up yet
            }
            Thread.sleep(250);
        }
        return null;
    }

    /** Seconds until {@code seen} holds, counted from {@code since}; NaN past {@code limit}. */
    private static double waitFor(Supplier<Boolean> seen, long since, Duration limit) throws InterruptedException {
        long deadline = since + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (seen.get()) {
                return (System.nanoTime() - since) / 1e9;
            }
            Thread.sleep(20);
        }
        return Double.NaN;
    }

    /** A fresh consistent list: name -> resourceVersion. */
    private static Map<String, String> serverPods(KubeHttp http, String ns) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                JsonNode list = JSON.readTree(http.getString(KubeHttp.podsPath(ns)));
                Map<String, String> out = new HashMap<>();
                for (JsonNode item : list.path("items")) {
                    out.put(
                            item.path("metadata").path("name").asText(),
                            item.path("metadata").path("resourceVersion").asText());
                }
                return out;
            } catch (IOException e) {
                if (attempt > 20) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static Map<String, String> oursStore(Informer<PodView> inf) {
        Map<String, String> m = new HashMap<>();
        inf.store().list().forEach(p -> m.put(p.name(), p.resourceVersion()));
        return m;
    }

    private static Map<String, String> theirStore(SharedIndexInformer<Pod> inf) {
        Map<String, String> m = new HashMap<>();
        inf.getStore().list().forEach(p -> m.put(name(p), rv(p)));
        return m;
    }

    private static String name(Pod p) {
        return p.getMetadata().getName();
    }

    private static String rv(Pod p) {
        return p.getMetadata().getResourceVersion();
    }

    /** Pod list/watch requests per user agent (and their non-200 answers), from the audit log. */
    static Map<String, Map<String, Long>> auditByUserAgent(TestGround ground) throws IOException {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        if (!Files.exists(ground.auditLog())) {
            return out;
        }
        // One line per request and stage; a watch refused at once (410) has no ResponseStarted stage.
        Map<String, String[]> requests = new HashMap<>(); // auditID -> {userAgent, verb, code}
        try (BufferedReader r = Files.newBufferedReader(ground.auditLog())) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException torn) {
                    continue; // a line cut by a restart
                }
                String verb = e.path("verb").asText();
                if (!"pods".equals(e.path("objectRef").path("resource").asText())
                        || !e.path("objectRef").path("subresource").isMissingNode()
                        || !(verb.equals("list") || verb.equals("watch"))
                        || e.path("objectRef").path("namespace").isMissingNode()) {
                    continue;
                }
                String[] req = requests.computeIfAbsent(e.path("auditID").asText(), k ->
                        new String[] {e.path("userAgent").asText("?"), verb, "0"});
                int code = e.path("responseStatus").path("code").asInt(0);
                if (code != 0) {
                    req[2] = Integer.toString(code);
                }
            }
        }
        for (String[] req : requests.values()) {
            Map<String, Long> m = out.computeIfAbsent(req[0], k -> new TreeMap<>());
            m.merge(req[1], 1L, Long::sum);
            if (!req[2].equals("200") && !req[2].equals("0")) {
                m.merge(req[1] + " " + req[2], 1L, Long::sum);
            }
        }
        return out;
    }

    private static String userAgentOf(Map<String, Map<String, Long>> audit, String prefix) {
        return audit.keySet().stream()
                .filter(k -> k.startsWith(prefix))
                .findFirst()
                .orElse("");
    }

    /** Over the lags that were seen (NaN: not seen within the limit, counted by {@link #timeouts}). */
    private static double max(List<Double> v) {
        return v.stream()
                .filter(d -> !d.isNaN())
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(Double.NaN);
    }

    private static double mean(List<Double> v) {
        return v.stream()
                .filter(d -> !d.isNaN())
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
    }

    private static int timeouts(List<Double> v) {
        return (int) v.stream().filter(d -> d.isNaN()).count();
    }

    // --- tables ---

    static String tables(Report r) {
        StringBuilder sb = new StringBuilder();
        for (VariantResult v : r.variants()) {
            Table t = new Table(
                    String.format(
                            "churn (%s): %.0f s, %,d writes ok, %,d failed, %d apiserver restarts (%.1f s each), %,d pods at the end",
                            v.variant(),
                            v.seconds(),
                            v.writesOk(),
                            v.writesFailed(),
                            v.restarts(),
                            v.meanRestartSeconds(),
                            v.serverPodsAtEnd()),
                    "informer",
                    "deltas",
                    "relists",
                    "410s",
                    "duplicates",
                    "regressions",
                    "missed (store)",
                    "missed (deltas)",
                    "converged s",
                    "canary lag max s",
                    "mean s",
                    "canary unseen",
                    "LIST (audit)");
            for (InformerOutcome i : v.informers()) {
                t.row(
                        i.informer(),
                        i.deltas(),
                        i.relists(),
                        i.gone410() < 0 ? "-" : i.gone410(),
                        i.duplicates(),
                        i.regressions(),
                        i.missedInStore(),
                        i.missedInDeltas(),
                        Double.isNaN(i.convergedSeconds()) ? "never" : Table.num(i.convergedSeconds(), 1),
                        Table.num(i.maxCanaryLagSeconds(), 1),
                        Table.num(i.meanCanaryLagSeconds(), 1),
                        i.canaryTimeouts(),
                        i.listRequests());
            }
            sb.append(t.render()).append('\n');
        }
        return sb.toString();
    }
}
