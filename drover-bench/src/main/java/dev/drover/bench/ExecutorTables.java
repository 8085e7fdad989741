package dev.drover.bench;

/** The executor benchmark's tables: the report of {@link ExecutorReport} as plain text for stdout. */
final class ExecutorTables {
    private ExecutorTables() {}

    static String render(ExecutorReport r) {
        ExecutorBench.Options o = r.options();
        ExecutorReport.Environment env = r.environment();
        ExecutorReport.ExecutorResult e = r.executor();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "executor: %,d tasks (sim behaviour run=%s), %d LEAN nodes, %d creates in flight, parallelism %d,"
                        + " store %s, finalizer + log archiving %s%nmachine: %d cores, load %.2f at start, %.2f before the executor phase, %.2f at"
                        + " end; %s%n%n",
                o.tasks(),
                o.run(),
                o.nodes(),
                o.concurrency(),
                o.parallelism(),
                o.store(),
                o.results() == null ? "(not in this report)" : o.results(),
                env.cores(),
                env.loadAtStart(),
                env.loadBeforeExecutor(),
                env.loadAtEnd(),
                "Java " + env.java()));
        Table t = new Table("Throughput", "what", "value", "note");
        for (ExecutorRawCreates.Result raw : r.raw()) {
            t.row(
                    "raw creates/s (" + raw.client() + ")",
                    Table.num(raw.createsPerSecond(), 1),
                    String.format(
                            "%,d pods in %.1f s, create p50 %.0f ms p99 %.0f ms, %d retried",
                            raw.pods(), raw.seconds(), raw.createP50Ms(), raw.createP99Ms(), raw.retried()));
        }
        if (r.launchOnly() != null) {
            ExecutorLaunchOnly.Result l = r.launchOnly();
            t.row(
                    "launch-only launches/s",
                    Table.num(l.launchesPerSecond(), 1),
                    String.format(
                            "%s of the raw rate; %,d tasks, parallelism %,d, no simulator: first submit -> last pod"
                                    + " seen %.1f s (submitting %.1f s)",
                            Table.ratio(e.launchOnlyRatio()), l.tasks(), l.tasks(), l.seconds(), l.submitSeconds()));
        }
        if (r.bare() != null) {
            ExecutorBareLifecycle.Result b = r.bare();
            t.row(
                    "bare lifecycles/s",
                    Table.num(b.tasksPerSecond(), 1),
                    String.format(
                            "%,d pods: plain create, simulator, delete when terminal; %d in flight; %.1f s, %d retried,"
                                    + " %d delete failures",
                            b.pods(), b.parallelism(), b.seconds(), b.retried(), b.deleteFailures()));
        }
        t.row(
                "executor launches/s",
                Table.num(e.launchesPerSecond(), 1),
                String.format(
                        "%s of the best raw rate (goal ≥ 0.80×); first submit -> last pod seen %.1f s",
                        Table.ratio(e.launchRatio()), e.launchSeconds()));
        t.row(
                "  first " + Math.min(o.parallelism(), o.tasks()) + " pods",
                Table.num(e.firstSlotsLaunchesPerSecond(), 1),
                String.format(
                        "%s of the limit; launches before any slot had to free (first submit -> that pod seen)",
                        Table.ratio(e.firstSlotsLaunchesPerSecond() / e.limitCreatesPerSecond())));
        t.row(
                "  best 5 s",
                Table.num(e.peakLaunchesPerSecond5s(), 1),
                String.format(
                        "%s of the limit; the most pods seen created within any 5 s, ÷ 5",
                        Table.ratio(e.peakLaunchesPerSecond5s() / e.limitCreatesPerSecond())));
        t.row(
                "executor tasks/s",
                Table.num(e.tasksPerSecond(), 1),
                String.format(
                        "%s of the bare lifecycle rate; %,d succeeded, %,d failed, %,d unfinished; first submit ->"
                                + " last commit %.1f s",
                        Table.ratio(e.bareRatio()), e.succeeded(), e.failed(), e.notFinished(), e.wallSeconds()));
        t.row(
                "submits/s",
                Table.num(e.submitsPerSecond(), 0),
                String.format(
                        "%d submitting threads, %d per call, %.1f s",
                        o.submitThreads(), o.submitBatch(), e.submitSeconds()));
        t.row("max in flight", e.maxInFlight(), "of parallelism " + o.parallelism());
        t.row(
                "CPU s (executor phase)",
                Table.num(e.benchCpuSeconds(), 1),
                String.format(
                        "bench JVM (executor + simulator + watch); kube-apiserver %.1f s, etcd %.1f s",
                        e.apiServerCpuSeconds(), e.etcdCpuSeconds()));
        sb.append(t.render()).append('\n');
        Table cpu = new Table("CPU per pod, ms (process CPU time over the phase ÷ pods)", "process, phase", "ms");
        r.cpuMsPerPod().forEach((k, v) -> cpu.row(k, Table.num(v, 2)));
        sb.append(cpu.render()).append('\n');
        sb.append("bench JVM CPU s by thread group (virtual threads run on ForkJoinPool-#-worker-#): ")
                .append(r.benchCpuByThreadGroup())
                .append("\n\n");

        Table lat =
                new Table("Latency per task, ms (nearest-rank percentiles)", "stage", "n", "p50", "p90", "p99", "max");
        r.stages()
                .forEach((name, p) -> lat.row(
                        name,
                        p.count(),
                        Table.num(p.p50(), 1),
                        Table.num(p.p90(), 1),
                        Table.num(p.p99(), 1),
                        Table.num(p.max(), 1)));
        sb.append(lat.render()).append('\n');
        sb.append(String.format(
                "terminal status -> committed: %s.%n%d commits came before our watch saw the status (negative),"
                        + " %d tasks without both moments.%nCommits over 250 ms by second of the run (busiest ten):"
                        + " %s%n%n",
                r.latency().definition(),
                r.latency().negative(),
                r.latency().missing(),
                r.latency().slowBySecond()));

        Table srv = new Table(
                "Time inside the apiserver per request, ms (audit log: stageTimestamp - requestReceivedTimestamp;"
                        + " raw namespace and executor namespace)",
                "client request",
                "n",
                "p50",
                "p90",
                "p99");
        r.apiServerTimeMs().forEach((name, p) -> {
            if (p.count() >= 10) {
                srv.row(name, p.count(), Table.num(p.p50(), 1), Table.num(p.p90(), 1), Table.num(p.p99(), 1));
            }
        });
        sb.append(srv.render()).append('\n');

        Table per = new Table(
                "Executor's API requests (audit log, executor namespace, both its clients)",
                "request",
                "count",
                "per task",
                "goal");
        ExecutorReport.PerTask p = r.perTask();
        per.row("create pods", p.creates(), Table.num(p.createsPerTask(), 3), "1");
        per.row("patch pods", p.patches(), Table.num(p.patchesPerTask(), 3), "≤ 1");
        per.row("delete pods", p.deletes(), Table.num(p.deletesPerTask(), 3), "≤ 1");
        per.row("get pods", p.gets(), Table.num(p.getsPerTask(), 4), "0");
        if (p.byVerb() != null) {
            per.row(
                    "get pods/log",
                    p.logGets(),
                    Table.num(p.logGetsPerTask(), 3),
                    o.resultsOn() ? "= containers (1)" : "0 (archiving off)");
        }
        per.row("list (any)", p.lists(), Table.num(p.listsPerTask(), 4), "per namespace only");
        per.row("watch (any)", p.watches(), "-", "per namespace only");
        per.row("other (e.g. the submit's namespace check)", p.other(), "-", "-");
        sb.append(per.render()).append('\n');

        Table api = new Table(
                "Requests in the executor phase by client (audit log, executor namespace)",
                "client",
                "verb",
                "resource",
                "code",
                "count",
                "per task");
        for (ExecutorReport.ApiRow row : r.auditByClient()) {
            api.row(
                    row.client(),
                    row.verb(),
                    row.resource() + (row.subresource().isEmpty() ? "" : "/" + row.subresource()),
                    row.code(),
                    row.count(),
                    Table.num(row.count() / (double) o.tasks(), 3));
        }
        sb.append(api.render()).append('\n');

        Table m = new Table(
                "apiserver /metrics delta over the executor phase (apiserver_request_total, namespaced pods/events,"
                        + " all clients; 'open' = watches still open, apiserver_longrunning_gauge)",
                "verb",
                "resource",
                "code",
                "count",
                "per task");
        for (ExecutorReport.ApiRow row : r.metricsDelta()) {
            m.row(
                    row.verb(),
                    row.resource() + (row.subresource().isEmpty() ? "" : "/" + row.subresource()),
                    row.code(),
                    row.count(),
                    Table.num(row.count() / (double) o.tasks(), 3));
        }
        sb.append(m.render()).append('\n');
        sb.append("simulator writes in the executor phase (SimStats): ")
                .append(r.simulatorWrites())
                .append("\n\n");

        Table goals = new Table("Goals", "goal", "measured", "target", "met");
        for (ExecutorReport.Goal g : r.goals()) {
            goals.row(g.what(), g.measured(), g.goal(), g.met() ? "yes" : "NO");
        }
        sb.append(goals.render()).append('\n');
        if (r.otherStores() != null && !r.otherStores().isEmpty()) {
            sb.append(byStore(r)).append('\n');
            String onOff = ExecutorResultsTables.onOff(r);
            if (!onOff.isEmpty()) {
                sb.append(onOff).append('\n');
            }
        }
        if (r.perTask().byVerb() != null) {
            sb.append(ExecutorResultsTables.requestsByVerb(r)).append('\n');
        }
        if (r.logs() != null) {
            sb.append(LogsTables.render(r.logs()));
        }
        return sb.toString();
    }

    /** The executor phase on each store of {@code --store a,b,…}, side by side, each ÷ the first. */
    static String byStore(ExecutorReport first) {
        java.util.List<ExecutorReport> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(first.otherStores());
        java.util.List<String> headers = new java.util.ArrayList<>(java.util.List.of("what"));
        for (ExecutorReport r : all) {
            headers.add(r.options().variant());
        }
        for (ExecutorReport r : all.subList(1, all.size())) {
            headers.add(r.options().variant() + " ÷ " + first.options().variant());
        }
        Table t = new Table(
                "Executor phase by store and results setting (same ground, simulator and options; one after the"
                        + " other in this order, each in its own namespace)",
                headers.toArray(String[]::new));
        row(t, all, "tasks/s", 1, r -> r.executor().tasksPerSecond());
        row(t, all, "launches/s", 1, r -> r.executor().launchesPerSecond());
        row(t, all, "launches/s, best 5 s", 1, r -> r.executor().peakLaunchesPerSecond5s());
        row(t, all, "submits/s", 0, r -> r.executor().submitsPerSecond());
        row(
                t,
                all,
                "terminal status -> committed p50 ms",
                1,
                r -> r.latency().terminalToCommit().p50());
        row(
                t,
                all,
                "terminal status -> committed p99 ms",
                1,
                r -> r.latency().terminalToCommit().p99());
        for (String stage : first.stages().keySet()) {
            row(t, all, stage + " p50 ms", 1, r -> stageP50(r, stage));
        }
        row(t, all, "max in flight", 0, r -> r.executor().maxInFlight());
        row(t, all, "bench JVM CPU s", 1, r -> r.executor().benchCpuSeconds());
        row(t, all, "kube-apiserver CPU s", 1, r -> r.executor().apiServerCpuSeconds());
        row(t, all, "succeeded", 0, r -> r.executor().succeeded());
        return t.render()
                + "(the bench JVM's CPU holds H2 but not PostgreSQL, which runs in processes of its own;"
                + " CPU and tasks/s also move with the load: see each run's load in the JSON)\n";
    }

    private static double stageP50(ExecutorReport r, String stage) {
        ExecutorStats.Percentiles p = r.stages().get(stage);
        return p == null ? Double.NaN : p.p50();
    }

    private static void row(
            Table t,
            java.util.List<ExecutorReport> all,
            String what,
            int decimals,
            java.util.function.ToDoubleFunction<ExecutorReport> f) {
        java.util.List<Object> cells = new java.util.ArrayList<>(java.util.List.of(what));
        for (ExecutorReport r : all) {
            cells.add(Table.num(f.applyAsDouble(r), decimals));
        }
        double base = f.applyAsDouble(all.getFirst());
        for (ExecutorReport r : all.subList(1, all.size())) {
            // a ratio with a latency at or below zero (the bench's watch saw it after the commit) says nothing
            double v = f.applyAsDouble(r);
            cells.add(base > 0 && v > 0 ? Table.ratio(v / base) : "-");
        }
        t.row(cells.toArray());
    }
}
