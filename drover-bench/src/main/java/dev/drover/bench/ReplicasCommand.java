package dev.drover.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "replicas",
        mixinStandardHelpOptions = true,
        description = {
            "Drover active-active on PostgreSQL: replicas as processes of their own (each with its own",
            "ServiceAccount) on a private test ground with LEAN simulated nodes. Failover: kill -9 of one",
            "replica mid-run, time until a survivor owns its last task and until they all ended, relabels",
            "per adopted pod (audit log), every task ended once. Scale-out: the same batch through 1 and",
            "through N replicas, tasks/s and the ratio, store statements per task counted by PostgreSQL.",
            "--smoke: 2 replicas, one failover with heartbeat 500 ms / threshold 3 s, 100 tasks scale-out."
        })
final class ReplicasCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--replicas", defaultValue = "3", description = "Replicas (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--repeat", defaultValue = "5", description = "Failover repetitions (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--heartbeat",
            defaultValue = "5s",
            description = "Heartbeat interval of every replica (default ${DEFAULT-VALUE}, the product's).")
    String heartbeat;

    @Option(
            names = "--alive-threshold",
            defaultValue = "30s",
            description = "Alive threshold (default ${DEFAULT-VALUE}, the product's; ≥ 3 heartbeats).")
    String aliveThreshold;

    @Option(
            names = "--reconcile-interval",
            defaultValue = "30s",
            description = "Replicas' reconcile interval (default ${DEFAULT-VALUE}, the product's).")
    String reconcile;

    @Option(
            names = "--failover-tasks",
            defaultValue = "-1",
            description = "Tasks per failover repetition (default: replicas × parallelism × 3).")
    int failoverTasks;

    @Option(
            names = "--failover-parallelism",
            defaultValue = "20",
            description = "Parallelism of each replica in the failover runs (default ${DEFAULT-VALUE}).")
    int failoverParallelism;

    @Option(
            names = "--failover-run",
            defaultValue = "4s",
            description = "How long each failover pod runs (default ${DEFAULT-VALUE}).")
    String failoverRun;

    @Option(names = "--tasks", defaultValue = "2000", description = "Scale-out tasks (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--parallelism",
            defaultValue = "600",
            description = "Scale-out: total parallelism, split over the replicas (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--concurrency",
            defaultValue = "32",
            description = "Scale-out: total creates in flight, split over the replicas (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--run",
            defaultValue = "1s",
            description = "How long each scale-out pod runs (default ${DEFAULT-VALUE}).")
    String run;

    @Option(
            names = "--idle",
            defaultValue = "20s",
            description = "Scale-out: how long the idle replicas' own store traffic is counted first (default"
                    + " ${DEFAULT-VALUE}).")
    String idle;

    @Option(
            names = "--warmup",
            defaultValue = "300",
            description = "Scale-out: untimed tasks per replica first (N replicas get N times as many), so every"
                    + " replica JVM has compiled the task paths (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--nodes", defaultValue = "10", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--replica-heap",
            defaultValue = "384m",
            description = "-Xmx of each replica JVM (default ${DEFAULT-VALUE}).")
    String replicaHeap;

    @Option(names = "--timeout-minutes", defaultValue = "10", description = "Per run (default ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(names = "--no-failover", description = "Skip the failover repetitions.")
    boolean noFailover;

    @Option(names = "--no-scale-out", description = "Skip the scale-out runs.")
    boolean noScaleOut;

    ReplicasBench.Options options() {
        int n = out.smoke ? 2 : replicas;
        if (n < 2) {
            throw new IllegalArgumentException("--replicas must be at least 2 (one is killed), not " + n);
        }
        long hb = out.smoke ? 500 : millis("--heartbeat", heartbeat);
        long thr = out.smoke ? 3000 : millis("--alive-threshold", aliveThreshold);
        if (thr < 3 * hb) {
            throw new IllegalArgumentException(
                    "--alive-threshold (" + thr + " ms) must be at least three --heartbeat intervals (" + hb + " ms)");
        }
        int fp = out.smoke ? 10 : failoverParallelism;
        return new ReplicasBench.Options(
                n,
                out.smoke ? 1 : repeat,
                hb,
                thr,
                out.smoke ? 2000 : millis("--reconcile-interval", reconcile),
                fp,
                failoverTasks > 0 && !out.smoke ? failoverTasks : n * fp * 3,
                out.smoke ? "3s" : failoverRun,
                out.smoke ? 100 : tasks,
                out.smoke ? 100 : parallelism,
                out.smoke ? 16 : concurrency,
                run,
                out.smoke ? 3000 : millis("--idle", idle),
                out.smoke ? 2000 : 11_000,
                out.smoke ? 20 : warmup,
                out.smoke ? 3 : nodes,
                replicaHeap,
                (out.smoke ? 2 : timeoutMinutes) * 60,
                !noFailover,
                !noScaleOut);
    }

    /** 500ms, 5s, 2m, or plain milliseconds. */
    static long millis(String flag, String v) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)?").matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + ": '" + v + "' is not a duration; write e.g. 500ms, 5s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n;
        };
    }

    ReplicasReport bench(Progress progress) throws Exception {
        return new ReplicasBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        try {
            options(); // bad flags: picocli's usage error naming the flag, before anything starts
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ReplicasReport r = bench(Progress.stderr());
        out.print(r, ReplicasTables.render(r));
        return r.goals().stream().allMatch(ExecutorReport.Goal::met) ? 0 : 1;
    }
}
