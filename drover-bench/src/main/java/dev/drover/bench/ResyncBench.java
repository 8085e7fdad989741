package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.testkit.TestGround;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The resync benchmark: N pods on a private test ground, then each contender's initial sync, each
 * in a fresh JVM, measured for time to "store complete", heap kept per pod and requests made.
 */
final class ResyncBench {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        if (!o.fork()) {
            return ContenderRun.run(c, target, namespaces, warm, pods, o.syncTimeout());
        }
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + o.childHeap(),
                "-XX:+UseG1GC",
                "-cp",
                System.getProperty("java.class.path"),
                BenchCommand.class.getName(),
                "contender",
                "--kind=" + c.label,
                "--server=" + ground.masterUrl(),
                "--namespaces=" + String.join(",", namespaces),
                "--warm-namespaces=" + String.join(",", warm),
                "--expect=" + pods,
                "--page-size=" + o.pageSize(),
                "--qps=" + o.qps(),
                "--burst=" + o.burst(),
                "--timeout-seconds=" + o.syncTimeout().toSeconds()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(ContenderCommand.TOKEN_ENV, ground.adminToken());
        Process p = pb.start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the child died; its exit code tells
            }
        });
        if (!p.waitFor(o.syncTimeout().toSeconds() + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        reader.join(5000);
        String text = out.toString(StandardCharsets.UTF_8).trim();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        if (p.exitValue() != 0 || !last.startsWith("{")) {
            return new ContenderResult(
                    c.label,
                    namespaces.size(),
                    pods,
                    -1,
                    Double.NaN,
                    0,
                    0,
                    0,
                    0,
                    -1,
                    0,
                    0,
                    Map.of(),
                    "child JVM exited " + p.exitValue() + ": " + text);
        }
        return JSON.readValue(last, ContenderResult.class);
    }

    // --- tables ---

    static String tables(Report r) {
        StringBuilder sb = new StringBuilder();
        for (SizeResult s : r.sizes()) {
            Table t = new Table(
                    String.format(
                            "resync: %,d pods in %d namespace(s); created at %,.0f pods/s; best of %d, each in %s",
                            s.pods(), s.namespaces(), s.createPerSecond(), r.repeat(), r.measuredIn()),
                    "contender",
                    "sync s",
                    "median s",
                    "pods/s",
                    "heap B/pod",
                    "wire B/pod",
                    "CPU s",
                    "alloc MB",
                    "LIST",
                    "WATCH",
                    "ok");
            for (ContenderSummary c : s.contenders()) {
                t.row(
                        c.contender(),
                        Table.num(c.bestSyncMillis() / 1000, 2),
                        Table.num(c.medianSyncMillis() / 1000, 2),
                        Table.num(s.pods() / (c.bestSyncMillis() / 1000), 0),
                        Double.isNaN(c.retainedBytesPerPod()) ? "-" : Table.num(c.retainedBytesPerPod(), 0),
                        c.bodyBytes() > 0 ? Table.num(c.bodyBytes() / (double) s.pods(), 0) : "-",
                        Table.num(c.cpuMillis() / 1000, 2),
                        Table.num(c.allocatedBytes() / 1e6, 0),
                        c.lists(),
                        c.watches(),
                        c.okRuns() + "/" + c.runs().size());
            }
            sb.append(t.render()).append('\n');
            sb.append(ratios(s)).append('\n');
        }
        return sb.toString();
    }

    private static String ratios(SizeResult s) {
        Map<String, ContenderSummary> by = new LinkedHashMap<>();
        s.contenders().forEach(c -> by.put(c.contender(), c));
        ContenderSummary fabric8 = by.get(Contender.FABRIC8.label);
        ContenderSummary clientJava = by.get(Contender.CLIENT_JAVA.label);
        Table t = new Table(
                String.format(
                        "resync ratios at %,d pods (time: best sync ÷ the other's best; CPU: client CPU of those runs;"
                                + " goals: ≤ 3× raw, ≤ 1024 B/pod)",
                        s.pods()),
                "ours",
                "÷ raw",
                "raw read",
                "≤3×",
                "÷ fabric8",
                "÷ client-java",
                "heap B/pod",
                "≤1KiB",
                "heap ÷ fabric8",
                "heap ÷ client-java",
                "÷ raw same pattern",
                "CPU ÷ raw",
                "CPU ÷ fabric8",
                "CPU ÷ client-java");
        for (ContenderSummary c : s.contenders()) {
            Contender k = Contender.byLabel(c.contender());
            if (!k.ours()) {
                continue;
            }
            ContenderSummary raw = by.get(k.rawReference().label);
            ContenderSummary same = by.get(k.rawSamePattern().label);
            double vsRaw = raw == null ? Double.NaN : c.bestSyncMillis() / raw.bestSyncMillis();
            t.row(
                    c.contender(),
                    Table.ratio(vsRaw),
                    raw == null ? "-" : raw.contender(),
                    Double.isNaN(vsRaw) ? "-" : vsRaw <= 3 ? "yes" : "NO",
                    Table.ratio(fabric8 == null ? Double.NaN : c.bestSyncMillis() / fabric8.bestSyncMillis()),
                    Table.ratio(clientJava == null ? Double.NaN : c.bestSyncMillis() / clientJava.bestSyncMillis()),
                    Double.isNaN(c.retainedBytesPerPod()) ? "-" : Table.num(c.retainedBytesPerPod(), 0),
                    Double.isNaN(c.retainedBytesPerPod()) ? "-" : c.retainedBytesPerPod() <= 1024 ? "yes" : "NO",
                    Table.ratio(fabric8 == null ? Double.NaN : c.retainedBytesPerPod() / fabric8.retainedBytesPerPod()),
                    Table.ratio(
                            clientJava == null
                                    ? Double.NaN
                                    : c.retainedBytesPerPod() / clientJava.retainedBytesPerPod()),
                    Table.ratio(same == null ? Double.NaN : c.bestSyncMillis() / same.bestSyncMillis()),
                    Table.ratio(raw == null ? Double.NaN : c.cpuMillis() / raw.cpuMillis()),
                    Table.ratio(fabric8 == null ? Double.NaN : c.cpuMillis() / fabric8.cpuMillis()),
                    Table.ratio(clientJava == null ? Double.NaN : c.cpuMillis() / clientJava.cpuMillis()));
        }
        return t.render();
    }
}
