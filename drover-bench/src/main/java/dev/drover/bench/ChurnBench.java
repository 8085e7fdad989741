package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.InitialList;
import dev.drover.kube.KubeApi;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Churn under a 410 storm: pods created, patched and deleted all the time while kube-apiserver is
 * restarted every few seconds (its watch cache starts past every client's resourceVersion), our
 * informer and fabric8's running throughout. At the end, once writes stop, each informer's store
 * and the picture its deltas add up to are compared with a fresh list from the server. The pieces:
 * {@link ChurnInformer} (the two informers alike), {@link ChurnWriters}, {@link ChurnRestarts} (the
 * storm and the canary), {@link ChurnAudit}; {@link ChurnTables} prints the report.
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
            List<ChurnInformer> informers = new ArrayList<>();
            try {
                PodLoader.create(http, List.of(ns), 0, o.pool(), 16, progress);
                ChurnRestarts.createCanary(http, ns);
                informers.add(new ChurnInformer.Ours(api, ns, o.oursStrategy()));
                informers.add(new ChurnInformer.Fabric8(fabric8, ns));
                informers.forEach(ChurnInformer::start);
                for (ChurnInformer i : informers) {
                    if (!i.awaitSynced(Duration.ofSeconds(60))) {
                        throw new IllegalStateException(i.name() + " did not sync within 60 s");
                    }
                }

                // --- churn, through the restarts ---
                ChurnWriters writers = new ChurnWriters(o, http, ns);
                long t0 = System.nanoTime();
                long end = t0 + o.duration().toNanos();
                writers.start(end);
                ChurnRestarts.Storm storm =
                        ChurnRestarts.run(ground, v, o.restartEvery(), http, ns, informers, writers, t0, end, progress);
                writers.join();
                double seconds = (System.nanoTime() - t0) / 1e9;
                progress.say(
                        "churn (%s): writes stopped after %.0f s (%,d ok, %,d failed, %d restarts); waiting for quiet",
                        v, seconds, writers.ok(), writers.failed(), storm.restarts());

                // --- quiet: compare with the server ---
                Quiet quiet = converge(http, ns, informers);
                Map<String, Map<String, Long>> audit = ChurnAudit.byUserAgent(ground);
                List<InformerOutcome> outcomes = new ArrayList<>();
                for (int k = 0; k < informers.size(); k++) {
                    ChurnInformer i = informers.get(k);
                    Map<String, Long> requests = ChurnAudit.countsOf(audit, i.userAgentPrefix());
                    List<Double> lags = storm.canaryLags().get(i.name());
                    outcomes.add(new InformerOutcome(
                            i.name(),
                            i.ledger.deltas(),
                            i.relists(requests),
                            i.gone410(),
                            i.ledger.duplicates(),
                            i.ledger.regressions(),
                            quiet.storeDiffs()[k],
                            quiet.deltaDiffs()[k],
                            quiet.convergedSeconds()[k],
                            ChurnRestarts.max(lags),
                            ChurnRestarts.mean(lags),
                            ChurnRestarts.unseen(lags),
                            requests.getOrDefault("list", 0L),
                            requests.getOrDefault("watch", 0L)));
                }
                return new VariantResult(
                        v.name().replace('_', '+'),
                        seconds,
                        writers.ok(),
                        writers.failed(),
                        storm.restarts(),
                        ChurnRestarts.mean(storm.restartSeconds()),
                        quiet.serverPods(),
                        outcomes,
                        audit);
            } finally {
                informers.forEach(ChurnInformer::close);
                fabric8.close();
                api.close();
                http.close();
            }
        }
    }

    /** Per informer (in order): objects its store and its deltas miss, seconds until both matched (NaN: never). */
    private record Quiet(int serverPods, int[] storeDiffs, int[] deltaDiffs, double[] convergedSeconds) {}

    /** Compares every informer with fresh server lists until all match or {@code --quiet-timeout} passes. */
    private Quiet converge(KubeHttp http, String ns, List<ChurnInformer> informers) throws Exception {
        int n = informers.size();
        int[] storeDiffs = new int[n];
        int[] deltaDiffs = new int[n];
        double[] converged = new double[n];
        Arrays.fill(converged, Double.NaN);
        long q0 = System.nanoTime();
        long quietEnd = q0 + o.quietTimeout().toNanos();
        while (true) {
            Map<String, String> server = serverPods(http, ns);
            for (int k = 0; k < n; k++) {
                storeDiffs[k] = DeltaLedger.differences(server, informers.get(k).store());
                deltaDiffs[k] =
                        DeltaLedger.differences(server, informers.get(k).ledger.view());
            }
            double t = (System.nanoTime() - q0) / 1e9;
            boolean all = true;
            for (int k = 0; k < n; k++) {
                if (Double.isNaN(converged[k]) && storeDiffs[k] == 0 && deltaDiffs[k] == 0) {
                    converged[k] = t;
                }
                all &= !Double.isNaN(converged[k]);
            }
            if (all || System.nanoTime() > quietEnd) {
                return new Quiet(server.size(), storeDiffs, deltaDiffs, converged);
            }
            Thread.sleep(200);
        }
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
}
