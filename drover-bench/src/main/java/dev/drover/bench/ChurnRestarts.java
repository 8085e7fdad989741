package dev.drover.bench;

import dev.drover.testkit.TestGround;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The 410 storm: kube-apiserver stopped and started every {@code --restart-every} seconds, etcd's
 * revision moved on while it is down (and, without the watch cache, etcd compacted past it), so every
 * resumed watch is too old. After each restart a canary pod is labelled, and the time each informer
 * takes to show the label is its lag: how stale a consumer is after an outage.
 */
final class ChurnRestarts {
    static final String CANARY = "canary";
    private static final String CANARY_LABEL = "bench-canary";

    /** Restarts made, how long each took, and each informer's canary lags (NaN: not shown in time). */
    record Storm(int restarts, List<Double> restartSeconds, Map<String, List<Double>> canaryLags) {}

    private ChurnRestarts() {}

    /** Restarts until {@code end} (nanoTime), none in its last 3 s; {@code t0}: when the writes began. */
    static Storm run(
            TestGround ground,
            ChurnBench.Variant v,
            Duration every,
            KubeHttp http,
            String ns,
            List<ChurnInformer> informers,
            ChurnWriters writers,
            long t0,
            long end,
            Progress progress)
            throws Exception {
        List<Double> restartSeconds = new ArrayList<>();
        Map<String, List<Double>> lags = new LinkedHashMap<>();
        informers.forEach(i -> lags.put(i.name(), new ArrayList<>()));
        int restarts = 0;
        long nextRestart = t0 + every.toNanos();
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
                if (v == ChurnBench.Variant.nocache_compaction) {
                    ground.compactEtcd();
                }
                ground.restartApiServerAfterStop();
                restartSeconds.add((System.nanoTime() - r0) / 1e9);
                progress.say(
                        "churn (%s): restart %d took %.1f s; %,d writes ok, %,d failed so far",
                        v, restarts, restartSeconds.get(restartSeconds.size() - 1), writers.ok(), writers.failed());
                String mark = "r" + restarts;
                if (labelCanary(http, ns, mark)) {
                    long c0 = System.nanoTime();
                    for (ChurnInformer i : informers) {
                        lags.get(i.name()).add(secondsUntil(() -> i.shows(ns, CANARY, CANARY_LABEL, mark), c0, every));
                    }
                }
                nextRestart = System.nanoTime() + every.toNanos();
            }
            Thread.sleep(50);
        }
        return new Storm(restarts, restartSeconds, lags);
    }

    static void createCanary(KubeHttp http, String ns) throws Exception {
        for (int i = 0; i < 20; i++) {
            int code = http.createPod(ns, CANARY, Map.of("app", "canary"));
            if (code == 201 || code == 409) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("could not create " + ns + "/" + CANARY);
    }

    /** Labels the canary pod; false when the server did not take it (20 tries, 5 s). */
    private static boolean labelCanary(KubeHttp http, String ns, String mark) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            try {
                if (http.patchLabel(ns, CANARY, CANARY_LABEL, mark).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not quite up yet
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Seconds until {@code seen} holds, counted from {@code since}; NaN past {@code limit}. */
    private static double secondsUntil(BooleanSupplier seen, long since, Duration limit) throws InterruptedException {
        long deadline = since + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (seen.getAsBoolean()) {
                return (System.nanoTime() - since) / 1e9;
            }
            Thread.sleep(20);
        }
        return Double.NaN;
    }

    /** Over the lags that were seen (NaN: not seen within the limit, counted by {@link #unseen}). */
    static double max(List<Double> v) {
        return v.stream()
                .filter(d -> !d.isNaN())
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(Double.NaN);
    }

    static double mean(List<Double> v) {
        return v.stream()
                .filter(d -> !d.isNaN())
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
    }

    static int unseen(List<Double> v) {
        return (int) v.stream().filter(d -> d.isNaN()).count();
    }
}
