package dev.drover.bench;

import dev.drover.testkit.TestGround;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resync benchmark: N pods on a private test ground, then each contender's initial sync, each
 * in a fresh JVM ({@link ContenderFork}) or in this one ({@link ContenderRun}), measured for time to
 * "store complete", heap kept per pod and requests made; {@link ResyncTables} prints the report.
 */
final class ResyncBench {
    record Options(
            List<Integer> sizes,
            int namespaceCount,
            List<Contender> contenders,
            int repeat,
            int createConcurrency,
            boolean fork,
            String childHeap,
            int pageSize,
            double qps,
            int burst,
            Duration syncTimeout,
            int warmPods) {}

    /** All runs of one contender at one size, and the summary the tables show. */
    record ContenderSummary(
            String contender,
            double bestSyncMillis,
            double medianSyncMillis,
            double retainedBytesPerPod,
            double cpuMillis,
            long allocatedBytes,
            long bodyBytes,
            long lists,
            long watches,
            Map<String, Long> ownCounters,
            int okRuns,
            List<String> errors,
            List<ContenderResult> runs) {}

    record SizeResult(
            int pods,
            int namespaces,
            int podsCreatedForThisSize,
            double createSeconds,
            double createPerSecond,
            long createRetries,
            List<ContenderSummary> contenders) {}

    record Report(
            String apiServer,
            String measuredIn,
            int repeat,
            int pageSize,
            double qps,
            int burst,
            List<SizeResult> sizes) {}

    private final Options o;
    private final Progress progress;

    ResyncBench(Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Report run() throws Exception {
        List<Integer> sizes = o.sizes().stream().sorted().toList();
        int largest = sizes.get(sizes.size() - 1);
        progress.say(
                "resync: starting a test ground (kube-apiserver v1.20.2, watch cache for pods sized %,d)", largest);
        TestGround ground = TestGround.builder()
                .apiServerFlag("--watch-cache-sizes=pods#" + Math.max(1000, largest + largest / 2))
                .apiServerFlag("--max-requests-inflight=1000")
                .apiServerFlag("--max-mutating-requests-inflight=1000")
                .build();
        try (ground) {
            ground.start();
            List<SizeResult> results = new ArrayList<>();
            try (KubeHttp http = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-loader")) {
                List<String> namespaces = new ArrayList<>();
                for (int i = 0; i < o.namespaceCount(); i++) {
                    namespaces.add(ground.createNamespace("resync-" + i));
                }
                String warm = ground.createNamespace("resync-warm");
                PodLoader.create(http, List.of(warm), 0, o.warmPods(), 8, progress);
                int created = 0;
                for (int size : sizes) {
                    progress.say("resync: creating pods %,d..%,d (%d writers)", created, size, o.createConcurrency());
                    PodLoader.LoadResult load =
                            PodLoader.create(http, namespaces, created, size, o.createConcurrency(), progress);
                    created = size;
                    progress.say(
                            "resync: %,d pods created in %.1f s (%,.0f/s)",
                            load.created(), load.seconds(), load.perSecond());
                    warmUpServer(http, namespaces);
                    results.add(new SizeResult(
                            size,
                            namespaces.size(),
                            load.created(),
                            load.seconds(),
                            load.perSecond(),
                            load.retries(),
                            measure(ground, namespaces, List.of(warm), size)));
                }
            }
            return new Report(
                    "kube-apiserver v1.20.2 (test ground, loopback)",
                    o.fork() ? "a fresh JVM per run (-Xmx" + o.childHeap() + ")" : "this JVM (in-process)",
                    o.repeat(),
                    o.pageSize(),
                    o.qps(),
                    o.burst(),
                    results);
        }
    }

    /** One discarded read of each kind, so no contender pays for a cold server after the load. */
    private void warmUpServer(KubeHttp http, List<String> namespaces) throws IOException, InterruptedException {
        byte[] buf = new byte[64 * 1024];
        for (String q : List.of("?resourceVersion=0", "")) {
            for (String ns : namespaces) {
                try (InputStream in = http.open(KubeHttp.podsPath(ns) + q)) {
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                }
            }
        }
    }

    private List<ContenderSummary> measure(TestGround ground, List<String> namespaces, List<String> warm, int pods)
            throws Exception {
        Map<Contender, List<ContenderResult>> runs = new LinkedHashMap<>();
        o.contenders().forEach(c -> runs.put(c, new ArrayList<>()));
        List<Contender> order = new ArrayList<>(o.contenders());
        for (int r = 0; r < o.repeat(); r++) {
            for (Contender c : order) {
                ContenderResult res = runOne(ground, c, namespaces, warm, pods);
                progress.say(
                        "resync: %,d pods, %-28s %8.0f ms%s%s",
                        pods,
                        c.label,
                        res.syncMillis(),
                        Double.isNaN(res.retainedBytesPerPod())
                                ? ""
                                : String.format("  %,6.0f B/pod", res.retainedBytesPerPod()),
                        res.ok() ? "" : "  FAILED: " + res.error());
                runs.get(c).add(res);
            }
            order.add(order.remove(0)); // rotate, so no contender always goes first
        }
        List<ContenderSummary> out = new ArrayList<>();
        runs.forEach((c, list) -> out.add(summarize(c, list)));
        return out;
    }

    private static ContenderSummary summarize(Contender c, List<ContenderResult> runs) {
        List<ContenderResult> ok = runs.stream().filter(ContenderResult::ok).toList();
        List<String> errors =
                runs.stream().filter(r -> !r.ok()).map(ContenderResult::error).toList();
        if (ok.isEmpty()) {
            return new ContenderSummary(
                    c.label, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, -1, 0, 0, Map.of(), 0, errors, runs);
        }
        ContenderResult best = ok.stream()
                .min(Comparator.comparingDouble(ContenderResult::syncMillis))
                .orElseThrow();
        return new ContenderSummary(
                c.label,
                best.syncMillis(),
                median(ok.stream().mapToDouble(ContenderResult::syncMillis).toArray()),
                median(ok.stream()
                        .mapToDouble(ContenderResult::retainedBytesPerPod)
                        .toArray()),
                best.cpuMillis(),
                best.allocatedBytes(),
                best.bodyBytes(),
                best.lists(),
                best.watches(),
                best.ownCounters(),
                ok.size(),
                errors,
                runs);
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private ContenderResult runOne(TestGround ground, Contender c, List<String> namespaces, List<String> warm, int pods)
            throws Exception {
        ContenderRun.Target target =
                new ContenderRun.Target(ground.masterUrl(), ground.adminToken(), o.pageSize(), o.qps(), o.burst());
        return o.fork()
                ? ContenderFork.run(c, target, namespaces, warm, pods, o.childHeap(), o.syncTimeout())
                : ContenderRun.run(c, target, namespaces, warm, pods, o.syncTimeout());
    }
}
