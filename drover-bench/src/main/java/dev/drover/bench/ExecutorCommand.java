package dev.drover.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "executor",
        mixinStandardHelpOptions = true,
        description = {
            "Drover's executor on a private test ground with LEAN simulated nodes, against its limits in",
            "the same run: raw pod creates (no simulator in that namespace), Drover's launches under the",
            "same conditions (launch only), bare lifecycles (plain create -> simulator -> delete), then N",
            "tasks end to end: tasks/s, terminal-status -> committed latency, CPU per pod, API requests",
            "per task (audit log and /metrics). --results on,off compares the pod finalizer + log archiving",
            "on and off; --logs adds the log phases. --smoke: 200 tasks, 200 raw pods per client, 3 nodes."
        })
final class ExecutorCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--tasks", defaultValue = "5000", description = "Tasks to run (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--run",
            defaultValue = "1s",
            description = "How long each pod runs in the simulator (its run= behaviour; default ${DEFAULT-VALUE}).")
    String run;

    @Option(names = "--nodes", defaultValue = "10", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--concurrency",
            defaultValue = "32",
            description = "Creates in flight: the executor's launch concurrency and the raw writers (default"
                    + " ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--parallelism",
            defaultValue = "1000",
            description = "The executor's parallelism (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--launch-qps",
            defaultValue = "10000",
            description = "The executor's launch rate limit (default ${DEFAULT-VALUE}: effectively none).")
    double launchQps;

    @Option(
            names = "--raw-pods",
            defaultValue = "-1",
            description = "Pods per raw create run (default: as many as --tasks).")
    int rawPods;

    @Option(
            names = "--raw-clients",
            defaultValue = "fabric8,http",
            split = ",",
            description = "Raw create runs: fabric8 (Launcher's client and call), http (JDK HttpClient POST)."
                    + " Default ${DEFAULT-VALUE}; the best is the limit.")
    List<ExecutorRawCreates.Client> rawClients;

    @Option(
            names = "--store",
            defaultValue = "h2-file",
            description = "Task store(s) of the executor phase: h2-file (the default store, a file in a temp dir),"
                    + " h2-mem, postgres (a PostgreSQL 15 of the run's own); several comma-separated (e.g."
                    + " h2-file,postgres) run the executor phase once per store and add a table comparing them.")
    String store;

    @Option(
            names = "--results",
            defaultValue = "on",
            description = "Pod finalizer + log archiving (Drover.Builder podFinalizer, archiveLogs): on (the product's"
                    + " default), off, or both comma-separated (e.g. on,off): the executor phase runs once per"
                    + " setting (and store), and a table compares them.")
    String results;

    @Option(
            names = "--logs",
            description = "After the executor phases, the log phases of the logs command on the same ground: archive"
                    + " bytes per MB of log on each --store, heap while a big log is followed and archived.")
    boolean logs;

    @Option(
            names = "--logs-store",
            description = "Store(s) of the --logs phases' archive-size runs, comma-separated (default: as --store);"
                    + " the follow runs on the first.")
    String logsStore;

    @Mixin
    LogsOptions logsOptions = new LogsOptions();

    @Option(
            names = "--submit-threads",
            defaultValue = "4",
            description = "Threads calling submit (default ${DEFAULT-VALUE}).")
    int submitThreads;

    @Option(
            names = "--submit-batch",
            defaultValue = "100",
            description = "Tasks per submit call: Drover.submitAll in batches of this many (1: Drover.submit one"
                    + " by one; default ${DEFAULT-VALUE}).")
    int submitBatch;

    @Option(names = "--tick-ms", defaultValue = "200", description = "The executor's tick (default ${DEFAULT-VALUE}).")
    long tickMs;

    @Option(
            names = "--max-requests-inflight",
            defaultValue = "800",
            description = "kube-apiserver --max-requests-inflight (default ${DEFAULT-VALUE}; 0: its own default).")
    int maxRequestsInflight;

    @Option(
            names = "--max-mutating-requests-inflight",
            defaultValue = "400",
            description = "kube-apiserver --max-mutating-requests-inflight (default ${DEFAULT-VALUE}).")
    int maxMutatingRequestsInflight;

    @Option(
            names = "--timeout-minutes",
            defaultValue = "15",
            description = "Give up on unfinished tasks this long after the first submit (default ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(
            names = "--no-bare",
            description = "Skip the bare lifecycle run (plain create -> simulator -> delete, the limit for whole"
                    + " tasks).")
    boolean noBare;

    @Option(
            names = "--no-launch-only",
            description = "Skip the launch-only run (Drover's launches into a namespace without simulated nodes,"
                    + " against the raw creates).")
    boolean noLaunchOnly;

    ExecutorBench.Options options() {
        for (String kind : store.split(",", -1)) {
            if (!ExecutorBench.STORES.contains(kind)) {
                throw new IllegalArgumentException("--store: '" + kind + "' is not one of " + ExecutorBench.STORES
                        + "; give one or several comma-separated, e.g. --store h2-file,postgres");
            }
        }
        java.util.List<String> settings = java.util.List.of(results.split(",", -1));
        for (String r : settings) {
            if (!ExecutorBench.RESULTS.contains(r)) {
                throw new IllegalArgumentException("--results: '" + r
                        + "' is not on or off; give one or both comma-separated, e.g. --results on,off");
            }
        }
        if (new java.util.HashSet<>(settings).size() != settings.size()) {
            throw new IllegalArgumentException("--results: '" + results + "' names a setting twice");
        }
        int n = out.smoke ? 200 : tasks;
        return new ExecutorBench.Options(
                n,
                run,
                out.smoke ? 3 : nodes,
                concurrency,
                parallelism,
                launchQps,
                rawPods > 0 && !out.smoke ? rawPods : n,
                List.copyOf(rawClients),
                store,
                submitThreads,
                submitBatch,
                tickMs,
                maxRequestsInflight,
                maxMutatingRequestsInflight,
                (out.smoke ? 3 : timeoutMinutes) * 60,
                !noBare,
                !noLaunchOnly,
                results,
                logs
                        ? logsOptions.options(out.smoke, logsStore == null ? store : logsStore, out.smoke ? 3 : nodes)
                        : null);
    }

    ExecutorReport bench(Progress progress) throws Exception {
        return new ExecutorBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        try {
            options(); // bad flags: picocli's usage error naming the flag, before anything starts
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ExecutorReport r = bench(Progress.stderr());
        out.print(r, ExecutorTables.render(r));
        return r.executor().succeeded() == r.options().tasks() ? 0 : 1;
    }
}
