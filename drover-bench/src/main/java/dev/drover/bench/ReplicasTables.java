package dev.drover.bench;

/** The replicas benchmark's tables: {@link ReplicasReport} as plain text for stdout. */
final class ReplicasTables {
    private ReplicasTables() {}

    static String render(ReplicasReport r) {
        ReplicasBench.Options o = r.options();
        ReplicasReport.Environment env = r.environment();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "replicas: %d replica processes on one PostgreSQL 15 and one kube-apiserver; heartbeat %d ms, alive"
                        + " threshold %d ms, reconcile %d ms; %d LEAN nodes%nmachine: %d cores, load %.2f at start,"
                        + " %.2f at end; Java %s%n%n",
                o.replicas(),
                o.heartbeatMs(),
                o.aliveThresholdMs(),
                o.reconcileMs(),
                o.nodes(),
                env.cores(),
                env.loadAtStart(),
                env.loadAtEnd(),
                env.java()));
        if (!r.failover().isEmpty()) {
            Table t = new Table(
                    String.format(
                            "Failover: kill -9 of the replica holding most tasks in flight (%d tasks of %s, parallelism"
                                    + " %d each; times in s from the kill)",
                            o.failoverTasks(), o.failoverRun(), o.failoverParallelism()),
                    "rep",
                    "victim",
                    "orphans",
                    "at kill",
                    "hb age",
                    "taken over",
                    "÷ thr",
                    "ended",
                    "heirs",
                    "adopted",
                    "not relabelled",
                    "relabels",
                    "refused",
                    "per pod",
                    "ended once",
                    "error");
            for (ReplicasFailover.Run f : r.failover()) {
                t.row(
                        f.repetition(),
                        f.victim(),
                        f.orphans(),
                        f.orphanStatesAtKill() == null
                                ? "-"
                                : f.orphanStatesAtKill().toString().replace(" ", ""),
                        Table.num(f.victimHeartbeatAgeAtKill(), 1),
                        Table.num(f.takenOverSeconds(), 2),
                        Table.ratio(f.takenOverSeconds() * 1000 / o.aliveThresholdMs()),
                        Table.num(f.orphansEndedSeconds(), 2),
                        f.takenOverBy().toString().replace(" ", ""),
                        f.adoptedPods(),
                        f.orphanPodsNotRelabelled(),
                        f.relabels(),
                        f.relabelsRefused(),
                        f.adoptedPods() == 0 ? "-" : f.minRelabelsPerPod() + ".." + f.maxRelabelsPerPod(),
                        f.endedOnce() + "/" + f.tasks(),
                        f.error() == null ? "" : f.error());
            }
            sb.append(t.render());
            ReplicasReport.FailoverSummary s = r.failoverSummary();
            sb.append(String.format(
                    "over %d repetitions: taken over p50 %.2f s, max %.2f s (%s / %s of the %.0f s threshold); all"
                            + " orphans ended p50 %.2f s, max %.2f s%nrelabels: %d accepted for %d adopted pods"
                            + " (%d..%d per pod), %d refused (409: another heir or a changed pod); %d tasks ended more"
                            + " than once, %d not ended, %d pods created twice%n%n",
                    s.repetitions(),
                    s.takenOverP50(),
                    s.takenOverMax(),
                    Table.ratio(s.takenOverP50PerThreshold()),
                    Table.ratio(s.takenOverMaxPerThreshold()),
                    o.aliveThresholdMs() / 1000.0,
                    s.endedP50(),
                    s.endedMax(),
                    s.relabels(),
                    s.adoptedPods(),
                    s.minRelabelsPerPod(),
                    s.maxRelabelsPerPod(),
                    s.relabelsRefused(),
                    s.endedMoreThanOnce(),
                    s.notEnded(),
                    s.podsCreatedTwice()));
        }
        if (!r.scaleOut().isEmpty()) {
            Table t = new Table(
                    String.format(
                            "Scale-out: the same %,d tasks of %s, total parallelism %d and %d creates in flight split"
                                    + " over the replicas",
                            o.scaleTasks(), o.scaleRun(), o.scaleParallelism(), o.scaleConcurrency()),
                    "replicas",
                    "parallelism each",
                    "tasks/s",
                    "s",
                    "submit s",
                    "succeeded",
                    "ended twice",
                    "not ended",
                    "by owner",
                    "replica CPU s",
                    "apiserver CPU s",
                    "bench CPU s",
                    "error");
            for (ReplicasScaleOut.Run s : r.scaleOut()) {
                t.row(
                        s.replicas(),
                        s.parallelismEach(),
                        Table.num(s.tasksPerSecond(), 1),
                        Table.num(s.seconds(), 1),
                        Table.num(s.submitSeconds(), 1),
                        s.succeeded(),
                        s.endedMoreThanOnce(),
                        s.notEnded(),
                        s.tasksByOwner().toString().replace(" ", ""),
                        Table.num(s.replicaCpuSeconds(), 1),
                        Table.num(s.apiServerCpuSeconds(), 1),
                        Table.num(s.benchCpuSeconds(), 1),
                        s.error() == null ? "" : s.error());
            }
            sb.append(t.render());
            sb.append(String.format(
                    "%d replicas ÷ 1 replica: %s (goal ≥ 0.90×)%n%n", o.replicas(), Table.ratio(r.scaleOutRatio())));
            sb.append(storeTable(r));
        }
        Table goals = new Table("Goals", "goal", "measured", "target", "met");
        for (ExecutorReport.Goal g : r.goals()) {
            goals.row(g.what(), g.measured(), g.goal(), g.met() ? "yes" : "NO");
        }
        sb.append(goals.render()).append('\n');
        return sb.toString();
    }

    private static String storeTable(ReplicasReport r) {
        var runs = r.scaleOut();
        java.util.List<String> headers = new java.util.ArrayList<>(java.util.List.of("per task"));
        runs.forEach(s -> headers.add(s.replicas() + " replica(s)"));
        Table t = new Table(
                "Store traffic per task on PostgreSQL (counted by the server: pg_stat_statements by role,"
                        + " pg_stat_database; the idle replicas' rate × the window taken off)",
                headers.toArray(String[]::new));
        for (String k : runs.getFirst().store().perTask().keySet()) {
            Object[] row = new Object[runs.size() + 1];
            row[0] = k;
            for (int i = 0; i < runs.size(); i++) {
                row[i + 1] = Table.num(runs.get(i).store().perTask().getOrDefault(k, Double.NaN), 2);
            }
            t.row(row);
        }
        StringBuilder sb = new StringBuilder(t.render());
        Table idle = new Table(
                "Idle replicas' own traffic (statements/s, all replicas together; 'heartbeat' = statements on the"
                        + " replicas table)",
                "replicas",
                "idle s",
                "heartbeat/s",
                "SHOW isolation/s",
                "other/s",
                "BEGIN/s",
                "transactions/s",
                "replica CPU s/s",
                "window s");
        for (ReplicasScaleOut.Run s : runs) {
            var st = s.store();
            idle.row(
                    s.replicas(),
                    Table.num(st.idleSeconds(), 1),
                    Table.num(st.idlePerSecond().getOrDefault("heartbeat", Double.NaN), 2),
                    Table.num(st.idlePerSecond().getOrDefault("isolation", Double.NaN), 2),
                    Table.num(st.idlePerSecond().getOrDefault("task", Double.NaN), 2),
                    Table.num(st.idlePerSecond().getOrDefault("begin", Double.NaN), 2),
                    Table.num(st.idleTransactionsPerSecond(), 2),
                    Table.num(s.idleReplicaCpuPerSecond(), 3),
                    Table.num(st.windowSeconds(), 1));
        }
        sb.append(idle.render()).append('\n');
        return sb.toString();
    }
}
