package dev.drover.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the replicas benchmark found (the JSON report) and the goals judged from it. */
record ReplicasReport(
        ReplicasBench.Options options,
        Environment environment,
        List<ReplicasFailover.Run> failover,
        FailoverSummary failoverSummary,
        List<ReplicasScaleOut.Run> scaleOut,
        double scaleOutRatio,
        List<ExecutorReport.Goal> goals) {

    record Environment(
            int cores, String java, String startedAt, double loadAtStart, double loadAtEnd, boolean pgStatStatements) {}

    /**
     * Over the repetitions: kill → last orphan owned by a survivor and kill → all orphans ended
     * (p50 nearest rank, max), each also ÷ the alive threshold; relabels per adopted pod.
     */
    record FailoverSummary(
            int repetitions,
            double takenOverP50,
            double takenOverMax,
            double endedP50,
            double endedMax,
            double takenOverP50PerThreshold,
            double takenOverMaxPerThreshold,
            long adoptedPods,
            long relabels,
            long relabelsRefused,
            long minRelabelsPerPod,
            long maxRelabelsPerPod,
            long orphans,
            long tasks,
            long endedOnce,
            long endedMoreThanOnce,
            long notEnded,
            long podsCreatedTwice) {}

    static ReplicasReport of(
            ReplicasBench.Options o,
            Environment env,
            List<ReplicasFailover.Run> runs,
            List<ReplicasScaleOut.Run> scale) {
        FailoverSummary f = runs.isEmpty() ? null : summary(o, runs);
        double ratio =
                scale.size() == 2 ? scale.get(1).tasksPerSecond() / scale.get(0).tasksPerSecond() : Double.NaN;
        List<ExecutorReport.Goal> goals = new ArrayList<>();
        if (f != null) {
            goals.add(new ExecutorReport.Goal(
                    "every task ended exactly once (failover)",
                    f.endedOnce() + " of " + f.tasks(),
                    "all",
                    f.endedOnce() == f.tasks()));
            goals.add(new ExecutorReport.Goal(
                    "relabel PATCHes per adopted pod",
                    f.adoptedPods() == 0 ? "no pod adopted" : f.minRelabelsPerPod() + " .. " + f.maxRelabelsPerPod(),
                    "exactly 1",
                    f.adoptedPods() > 0 && f.minRelabelsPerPod() == 1 && f.maxRelabelsPerPod() == 1));
            goals.add(new ExecutorReport.Goal(
                    "kill -9 -> taken over, max ÷ threshold",
                    Table.ratio(f.takenOverMaxPerThreshold()),
                    "≈ 1× (the threshold + a heartbeat)",
                    f.takenOverMax() * 1000 <= o.aliveThresholdMs() + 2 * o.heartbeatMs() + 2000));
        }
        if (!Double.isNaN(ratio)) {
            goals.add(new ExecutorReport.Goal(
                    o.replicas() + " replicas tasks/s ÷ 1 replica's", Table.ratio(ratio), "≥ 0.90×", ratio >= 0.9));
            long twice = scale.stream()
                    .mapToLong(ReplicasScaleOut.Run::endedMoreThanOnce)
                    .sum();
            goals.add(new ExecutorReport.Goal("scale-out tasks ended more than once", "" + twice, "0", twice == 0));
        }
        return new ReplicasReport(o, env, runs, f, scale, ratio, goals);
    }

    private static FailoverSummary summary(ReplicasBench.Options o, List<ReplicasFailover.Run> runs) {
        List<ReplicasFailover.Run> ok =
                runs.stream().filter(r -> r.error() == null).toList();
        double[] taken =
                ok.stream().mapToDouble(ReplicasFailover.Run::takenOverSeconds).toArray();
        double[] ended = ok.stream()
                .mapToDouble(ReplicasFailover.Run::orphansEndedSeconds)
                .toArray();
        double thr = o.aliveThresholdMs() / 1000.0;
        List<ReplicasFailover.Run> adopting =
                ok.stream().filter(r -> r.adoptedPods() > 0).toList();
        return new FailoverSummary(
                runs.size(),
                p50(taken),
                max(taken),
                p50(ended),
                max(ended),
                p50(taken) / thr,
                max(taken) / thr,
                runs.stream().mapToLong(ReplicasFailover.Run::adoptedPods).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::relabels).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::relabelsRefused).sum(),
                adopting.stream()
                        .mapToLong(ReplicasFailover.Run::minRelabelsPerPod)
                        .min()
                        .orElse(0),
                adopting.stream()
                        .mapToLong(ReplicasFailover.Run::maxRelabelsPerPod)
                        .max()
                        .orElse(0),
                runs.stream().mapToLong(ReplicasFailover.Run::orphans).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::tasks).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::endedOnce).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::endedMoreThanOnce).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::notEnded).sum(),
                runs.stream().mapToLong(ReplicasFailover.Run::podsCreatedTwice).sum());
    }

    /** Nearest-rank median. */
    static double p50(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(0.5 * s.length) - 1];
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
