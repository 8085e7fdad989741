package dev.drover.bench;

import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.sim.SimStats;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drover-bench sim}: pod lifecycles per second the node simulator drives in each fidelity,
 * beside the same apiserver's plain pod create rate measured in the same run.
 */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description = {
            "The node simulator's throughput: N pending pods are created first, then a simulator in LEAN and",
            "then in FULL fidelity walks them to Succeeded; lifecycles/s per mode, writes per pod, and the",
            "apiserver's raw create rate in the same run (the ceiling any simulator writing to it meets)."
        })
final class SimBenchCommand implements Callable<Integer> {
    private static final double KWOK_LIFECYCLES_PER_SECOND = 20; // the figure the issue compares with

    @Option(names = "--pods", defaultValue = "3000", description = "Pods per mode (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--nodes", defaultValue = "10", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--creators", defaultValue = "16", description = "Concurrent creates (default ${DEFAULT-VALUE}).")
    int creators;

    @Mixin
    OutputOptions out = new OutputOptions();

    record ModeResult(
            String mode,
            int pods,
            double seconds,
            double lifecyclesPerSecond,
            double writesPerPod,
            Map<String, Long> writes,
            long retries,
            long failures) {}

    @Override
    public Integer call() throws Exception {
        int n = out.smoke ? 200 : pods;
        Progress progress = Progress.stderr();
        progress.say("starting a private test ground");
        try (TestGround ground = TestGround.builder()
                        .apiServerFlag("--max-requests-inflight=800")
                        .apiServerFlag("--max-mutating-requests-inflight=400")
                        .build()
                        .start();
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(new ConfigBuilder(ground.adminConfig())
                                .withRequestRetryBackoffLimit(0)
                                .build())
                        .build()) {
            String rawNs = ground.createNamespace("raw");
            progress.say("raw create rate: %,d pods, %d at a time", n, creators);
            double rawSeconds = createPods(client, rawNs, n, "run=0", progress);
            double rawRate = n / rawSeconds;
            List<ModeResult> results = new ArrayList<>();
            for (Fidelity mode : List.of(Fidelity.LEAN, Fidelity.FULL)) {
                String ns = ground.createNamespace(mode.name().toLowerCase(java.util.Locale.ROOT));
                progress.say("%s: creating %,d pending pods", mode, n);
                createPods(client, ns, n, "run=100ms", progress); // bind, running, terminated: three writes
                progress.say("%s: simulating", mode);
                long t0;
                try (NodeSimulator sim = NodeSimulator.builder(client)
                        .namespaces(ns)
                        .nodes(nodes)
                        .nodeNamePrefix(mode.name().toLowerCase(java.util.Locale.ROOT) + "-")
                        .fidelity(mode)
                        .build()
                        .start()) {
                    t0 = System.nanoTime(); // after node registration and the first list
                    while (sim.stats().podsFinished() < n) {
                        progress.tick(mode + " lifecycles", sim.stats().podsFinished(), n);
                        Thread.sleep(50);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    SimStats s = sim.stats();
                    results.add(new ModeResult(
                            mode.name(),
                            n,
                            seconds,
                            n / seconds,
                            (double) s.totalWrites() / n,
                            s.writes(),
                            s.retries(),
                            s.failures()));
                }
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("rawCreatesPerSecond", rawRate);
            report.put("modes", results);
            report.put("loadAverage1m", ExecutorStats.loadAverage());
            Table t = new Table(
                    String.format(
                            "Node simulator: %,d pods per mode, %d nodes; apiserver raw creates %.0f/s (%d at a time); load average %.1f",
                            n, nodes, rawRate, creators, ExecutorStats.loadAverage()),
                    "mode",
                    "pods",
                    "seconds",
                    "lifecycles/s",
                    "vs raw creates",
                    "vs KWOK 20/s",
                    "writes/pod",
                    "retries");
            for (ModeResult r : results) {
                t.row(
                        r.mode(),
                        r.pods(),
                        Table.num(r.seconds(), 1),
                        Table.num(r.lifecyclesPerSecond(), 0),
                        Table.ratio(r.lifecyclesPerSecond() / rawRate),
                        Table.ratio(r.lifecyclesPerSecond() / KWOK_LIFECYCLES_PER_SECOND),
                        Table.num(r.writesPerPod(), 2),
                        r.retries());
            }
            out.print(report, t.render());
            return 0;
        }
    }

    private double createPods(KubernetesClient client, String ns, int n, String behavior, Progress progress)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>(n);
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < n; i++) {
                Pod p = new PodBuilder()
                        .withNewMetadata()
                        .withName("p-" + i)
                        .addToAnnotations(NodeSimulator.BEHAVIOR_ANNOTATION, behavior)
                        .endMetadata()
                        .withNewSpec()
                        .withRestartPolicy("Never")
                        .addNewContainer()
                        .withName("main")
                        .withImage("registry.example/app:1")
                        .endContainer()
                        .endSpec()
                        .build();
                all.add(pool.submit(() -> {
                    client.pods().inNamespace(ns).resource(p).create();
                    progress.tick("created", done.incrementAndGet(), n);
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
