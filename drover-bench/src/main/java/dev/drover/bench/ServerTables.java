package dev.drover.bench;

import java.util.List;
import java.util.Map;

/** The server benchmark's tables: submit rate, read latencies per size, the watch's fan-out. */
final class ServerTables {
    private ServerTables() {}

    static String render(ServerBench.Report r) {
        ServerBench.Options o = r.options();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "drover server benchmark (%s, JDK %s, load %.1f -> %.1f%s)%n%n",
                r.startedAt(), r.jvm(), r.loadAtStart(), r.loadAtEnd(), o.smoke() ? ", SMOKE" : ""));
        for (String store : o.stores()) {
            submit(sb, r, store);
        }
        for (ServerReads.SizeResult s : r.reads()) {
            reads(sb, s);
        }
        if (!r.fanOut().isEmpty()) {
            fanOut(sb, r);
        }
        return sb.toString();
    }

    private static void submit(StringBuilder sb, ServerBench.Report r, String store) {
        ServerBench.Options o = r.options();
        List<ServerSubmitRate.Result> rows =
                r.submit().stream().filter(x -> x.store().equals(store)).toList();
        if (rows.isEmpty()) {
            return;
        }
        Table t = new Table(
                String.format(
                        "Submit rate, store %s: %,d tasks per contender into a fresh store, %d client threads; the"
                                + " Drover is built, not started (it checks and stores, schedules nothing); CPU: this"
                                + " JVM (server, client, H2 when in-process)",
                        store, o.submitTasks(), o.clients()),
                "contender",
                "tasks/call",
                "calls",
                "s",
                "tasks/s",
                "call p50 ms",
                "call p99 ms",
                "CPU ms/task",
                "stored");
        for (ServerSubmitRate.Result x : rows) {
            t.row(
                    x.contender(),
                    x.tasksPerCall(),
                    x.calls(),
                    Table.num(x.seconds(), 2),
                    Table.num(x.tasksPerSecond(), 0),
                    Table.num(x.callMs().p50(), 2),
                    Table.num(x.callMs().p99(), 2),
                    Table.num(x.cpuMsPerTask(), 3),
                    x.stored() < 0 ? "-" : x.stored());
        }
        sb.append(t.render()).append('\n');
        Map<String, Double> ratios = ServerSubmitRate.ratios(r.submit(), store);
        Table q = new Table(
                "Submit rate ratios, store " + store + " (REST ÷ in-process; goal ≥ 0.80×)",
                "",
                "tasks/s ratio",
                "CPU/task ratio",
                "goal");
        for (Map.Entry<String, Double> e : ratios.entrySet()) {
            double cpu = ServerSubmitRate.cpuRatio(r.submit(), store, e.getKey());
            boolean goal = !e.getKey().contains("floor");
            q.row(
                    e.getKey(),
                    Table.ratio(e.getValue()),
                    Table.ratio(cpu),
                    !goal ? "(no goal)" : e.getValue() >= 0.8 ? "met" : "MISSED");
        }
        sb.append(q.render()).append('\n');
    }

    private static void reads(StringBuilder sb, ServerReads.SizeResult s) {
        Table t = new Table(
                String.format(
                        "Reads, store %s with %,d tasks (%s); one caller, HTTP and in-process interleaved; ms",
                        s.store(), s.tasks(), states(s.states())),
                "read",
                "HTTP",
                "HTTP p50",
                "HTTP p99",
                "in-proc p50",
                "in-proc p99",
                "p50 ratio",
                "p99 ratio",
                "answer B");
        for (ServerReads.Read x : s.reads()) {
            t.row(
                    x.read(),
                    x.http(),
                    Table.num(x.httpMs().p50(), 2),
                    Table.num(x.httpMs().p99(), 2),
                    Table.num(x.inProcessMs().p50(), 2),
                    Table.num(x.inProcessMs().p99(), 2),
                    Table.ratio(x.httpMs().p50() / x.inProcessMs().p50()),
                    Table.ratio(x.httpMs().p99() / x.inProcessMs().p99()),
                    Table.num(x.httpBytes(), 0));
        }
        sb.append(t.render());
        sb.append(String.format(
                "in-process: the task read is store.get + store.transitions (what the route reads), lists are"
                        + " store.query; HTTP lists also carry counts by state (store.countByState, cached 1 s: p50"
                        + " %.2f ms here)%n%n",
                s.countMs()));
        if (s.dashboard() != null) {
            DashboardRender.Result d = s.dashboard();
            sb.append(String.format(
                    "dashboard first render (headless Chromium, a fresh navigation to /#/tasks, %d rounds): first"
                            + " rows shown p50 %.0f ms, p90 %.0f ms, max %.0f ms (%d rows); DOMContentLoaded p50 %.0f"
                            + " ms%n%n",
                    d.rounds(),
                    d.firstRowsMs().p50(),
                    d.firstRowsMs().p90(),
                    d.firstRowsMs().max(),
                    d.rowsShown(),
                    d.domMs().p50()));
        }
    }

    private static String states(Map<String, Long> states) {
        StringBuilder sb = new StringBuilder();
        states.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ")
                .append(k.toLowerCase())
                .append(' ')
                .append(String.format("%,d", v)));
        return sb.toString();
    }

    private static void fanOut(StringBuilder sb, ServerBench.Report r) {
        ServerBench.Options o = r.options();
        ServerFanOut.Result first = r.fanOut().getFirst();
        Table t = new Table(
                String.format(
                        "Watch fan-out, store %s: %,d tasks (run=%s) end to end on %d LEAN nodes, GET /api/v1/watch"
                                + " clients connected before the first submit; lag: a change's at -> a client read"
                                + " it (the server polls the store every 250 ms)",
                        first.store(), o.runTasks(), o.run(), o.nodes()),
                "watchers",
                "changes",
                "succeeded",
                "run s",
                "delivered s",
                "min/watcher",
                "max/watcher",
                "missing",
                "dupl.",
                "out of order",
                "lag p50 ms",
                "lag p99 ms",
                "lag max ms",
                "lag >1s",
                "id gaps",
                "JVM CPU s",
                "apiserver CPU s");
        for (ServerFanOut.Result x : r.fanOut()) {
            boolean w = x.watchers() > 0;
            t.row(
                    x.watchers(),
                    x.changes(),
                    x.succeeded(),
                    Table.num(x.runSeconds(), 1),
                    w ? Table.num(x.deliveredSeconds(), 1) : "-",
                    w ? x.minPerWatcher() : "-",
                    w ? x.maxPerWatcher() : "-",
                    w ? x.missing() : "-",
                    w ? x.duplicates() : "-",
                    w ? x.outOfOrder() : "-",
                    w ? Table.num(x.lagMs().p50(), 0) : "-",
                    w ? Table.num(x.lagMs().p99(), 0) : "-",
                    w ? Table.num(x.lagMs().max(), 0) : "-",
                    w ? Table.num(x.lagOver1sShare() * 100, 1) + "%" : "-",
                    x.idGaps(),
                    Table.num(x.jvmCpuSeconds(), 1),
                    Table.num(x.apiServerCpuSeconds(), 1));
        }
        sb.append(t.render());
        if (r.fanOut().size() == 2) {
            ServerFanOut.Result base = r.fanOut().get(0);
            ServerFanOut.Result watched = r.fanOut().get(1);
            double extra = watched.jvmCpuSeconds() - base.jvmCpuSeconds();
            long events = watched.watchers() * watched.changes();
            sb.append(String.format(
                    "the fan-out's CPU (this JVM with %d watchers − without): %.1f s, %.1f µs per event delivered"
                            + " (%,d events; server and the bench's line-scanning clients together)%n",
                    watched.watchers(), extra, extra * 1e6 / events, events));
        }
        sb.append('\n');
    }

    /** Every watcher of every run got every change once (the exit code and the smoke test's check). */
    static boolean allDelivered(ServerBench.Report r) {
        return r.fanOut().stream()
                .allMatch(x -> x.succeeded() == x.tasks()
                        && (x.watchers() == 0
                                || (x.missing() == 0
                                        && x.duplicates() == 0
                                        && x.unexpected() == 0
                                        && x.brokenStreams() == 0
                                        && x.minPerWatcher() == x.changes()
                                        && x.maxPerWatcher() == x.changes())));
    }
}
