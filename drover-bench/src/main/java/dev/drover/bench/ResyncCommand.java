package dev.drover.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "resync",
        mixinStandardHelpOptions = true,
        description = {
            "Creates N small pods on a private test ground, then measures each contender's initial sync:",
            "time until its store is complete, heap kept per pod (after full GCs, a fresh JVM per run),",
            "CPU and allocation, and the pod LIST/WATCH requests the apiserver counted."
        })
final class ResyncCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @Option(
            names = "--pods",
            split = ",",
            defaultValue = "10000,50000,100000",
            description = "Store sizes to measure, ascending; pods are added between sizes (default ${DEFAULT-VALUE}).")
    List<Integer> pods;

    @Option(names = "--namespace-count", defaultValue = "1", description = "Spread the pods over this many namespaces.")
    int namespaceCount;

    @Option(
            names = "--contenders",
            defaultValue = "all",
            description = "Comma list of: ours/list-then-watch, ours/paginated, ours/watch-after-first-page,"
                    + " ours/streaming, fabric8-informer, client-java-informer, raw-get-rv0, raw-get (default all).")
    String contenders;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            description = "Runs per contender and size; tables show the best time.")
    int repeat;

    @Option(names = "--create-concurrency", defaultValue = "48", description = "Concurrent pod writers.")
    int createConcurrency;

    @Option(
            names = "--in-process",
            description =
                    "Run the contenders in this JVM instead of a fresh JVM each (quicker, heap numbers less clean).")
    boolean inProcess;

    @Option(
            names = "--fork",
            description = "With --smoke: still run each contender in a fresh JVM (smoke runs in-process).")
    boolean fork;

    @Option(names = "--child-heap", defaultValue = "4g", description = "-Xmx of each contender's JVM.")
    String childHeap;

    @Option(names = "--page-size", defaultValue = "500", description = "Page size of our paginated strategies.")
    int pageSize;

    @Option(
            names = "--qps",
            defaultValue = "50",
            description = "Our client-side rate limit (the library's default 50).")
    double qps;

    @Option(names = "--burst", defaultValue = "100", description = "Our client-side burst (the library's default 100).")
    int burst;

    @Option(
            names = "--sync-timeout",
            defaultValue = "600",
            description = "Seconds a sync may take before it counts as failed.")
    long syncTimeoutSeconds;

    ResyncBench.Options options() {
        boolean smoke = out.smoke;
        return new ResyncBench.Options(
                smoke ? List.of(500) : pods,
                namespaceCount,
                Contender.parse(contenders),
                smoke ? 1 : repeat,
                createConcurrency,
                smoke ? fork : !inProcess,
                smoke ? "1g" : childHeap,
                smoke ? 100 : pageSize,
                qps,
                burst,
                Duration.ofSeconds(smoke ? 60 : syncTimeoutSeconds),
                smoke ? 20 : 200);
    }

    ResyncBench.Report bench(Progress progress) throws Exception {
        return new ResyncBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        ResyncBench.Report r = bench(Progress.stderr());
        out.print(r, ResyncTables.render(r));
        boolean allOk = r.sizes().stream()
                .flatMap(s -> s.contenders().stream())
                .allMatch(c -> c.errors().isEmpty());
        return allOk ? 0 : 1;
    }
}
