package dev.drover.bench;

import dev.drover.kube.InitialList;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "churn",
        mixinStandardHelpOptions = true,
        description = {
            "Pods created, patched and deleted continuously while kube-apiserver restarts every N seconds",
            "(a 410 storm), our informer and fabric8's running throughout. Then: each store and the picture",
            "its deltas add up to against a fresh server list (0 missed expected), relists, 410s,",
            "duplicate and regressed deltas, and how long each informer lagged after each restart."
        })
final class ChurnCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @Option(names = "--seconds", defaultValue = "120", description = "How long to churn (default ${DEFAULT-VALUE}).")
    long seconds;

    @Option(
            names = "--restart-every",
            defaultValue = "20",
            description = "Seconds between kube-apiserver restarts (default ${DEFAULT-VALUE}).")
    long restartEvery;

    @Option(
            names = "--variants",
            defaultValue = "restart,nocache+compaction",
            description = "restart (watch cache on) and/or nocache+compaction (watch cache off, etcd compacted"
                    + " every 5 s and at each restart); default ${DEFAULT-VALUE}.")
    String variants;

    @Option(
            names = "--pool",
            defaultValue = "200",
            description = "Pods kept alive, roughly (default ${DEFAULT-VALUE}).")
    int pool;

    @Option(
            names = "--ops-per-second",
            defaultValue = "60",
            description = "Writes per second (default ${DEFAULT-VALUE}).")
    int opsPerSecond;

    @Option(names = "--writers", defaultValue = "4", description = "Concurrent writers (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(
            names = "--quiet-timeout",
            defaultValue = "90",
            description = "Seconds to wait, after writes stop, for the stores to match the server.")
    long quietTimeout;

    @Option(names = "--strategy", defaultValue = "LIST_THEN_WATCH", description = "Our initial-list strategy.")
    InitialList strategy;

    ChurnBench.Options options() {
        List<ChurnBench.Variant> vs = Arrays.stream(variants.split(","))
                .map(String::trim)
                .map(s -> ChurnBench.Variant.valueOf(s.replace('+', '_')))
                .toList();
        return out.smoke
                ? new ChurnBench.Options(
                        List.of(ChurnBench.Variant.restart),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(8),
                        50,
                        30,
                        3,
                        Duration.ofSeconds(40),
                        strategy)
                : new ChurnBench.Options(
                        vs,
                        Duration.ofSeconds(seconds),
                        Duration.ofSeconds(restartEvery),
                        pool,
                        opsPerSecond,
                        writers,
                        Duration.ofSeconds(quietTimeout),
                        strategy);
    }

    ChurnBench.Report bench(Progress progress) throws Exception {
        return new ChurnBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        ChurnBench.Report r = bench(Progress.stderr());
        out.print(r, ChurnTables.render(r));
        boolean oursClean = r.variants().stream()
                .flatMap(v -> v.informers().stream())
                .filter(i -> i.informer().startsWith("ours"))
                .allMatch(i -> i.missedInStore() == 0 && i.missedInDeltas() == 0);
        return oursClean ? 0 : 1;
    }
}
