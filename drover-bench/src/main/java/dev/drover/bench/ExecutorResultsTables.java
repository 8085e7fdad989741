package dev.drover.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The executor benchmark's tables about the pod finalizer and log archiving ({@code --results
 * on,off}): each store's phase with them on beside the same with them off, and every executor
 * phase's requests per task by verb and subresource (audit log, and /metrics).
 */
final class ExecutorResultsTables {
    private ExecutorResultsTables() {}

    /** The first report and the others, in the order they ran. */
    static List<ExecutorReport> all(ExecutorReport first) {
        List<ExecutorReport> all = new ArrayList<>();
        all.add(first);
        if (first.otherStores() != null) {
            all.addAll(first.otherStores());
        }
        return all;
    }

    /** Per store with both settings: on, off, on ÷ off; empty when no store ran both. */
    static String onOff(ExecutorReport first) {
        StringBuilder sb = new StringBuilder();
        Map<String, ExecutorReport[]> byStore = new LinkedHashMap<>();
        for (ExecutorReport r : all(first)) {
            if (r.options().results() == null) {
                continue;
            }
            ExecutorReport[] pair = byStore.computeIfAbsent(r.options().store(), k -> new ExecutorReport[2]);
            pair[r.options().resultsOn() ? 0 : 1] = r;
        }
        for (Map.Entry<String, ExecutorReport[]> e : byStore.entrySet()) {
            ExecutorReport on = e.getValue()[0];
            ExecutorReport off = e.getValue()[1];
            if (on == null || off == null) {
                continue;
            }
            Table t = new Table(
                    "Pod finalizer + log archiving, on against off (store " + e.getKey() + ", same run; on: a finalizer"
                            + " on every pod, each container's log read and archived before it is dropped)",
                    "what",
                    "on",
                    "off",
                    "on ÷ off");
            row(t, on, off, "tasks/s", 1, r -> r.executor().tasksPerSecond());
            row(t, on, off, "launches/s", 1, r -> r.executor().launchesPerSecond());
            row(
                    t,
                    on,
                    off,
                    "terminal status -> committed p50 ms",
                    1,
                    r -> r.latency().terminalToCommit().p50());
            row(
                    t,
                    on,
                    off,
                    "terminal status -> committed p99 ms",
                    1,
                    r -> r.latency().terminalToCommit().p99());
            for (String stage : on.stages().keySet()) {
                row(t, on, off, stage + " p50 ms", 1, r -> p50(r, stage));
                row(t, on, off, stage + " p99 ms", 1, r -> p99(r, stage));
            }
            row(t, on, off, "max in flight", 0, r -> r.executor().maxInFlight());
            row(t, on, off, "bench JVM CPU s", 1, r -> r.executor().benchCpuSeconds());
            row(t, on, off, "kube-apiserver CPU s", 1, r -> r.executor().apiServerCpuSeconds());
            row(t, on, off, "etcd CPU s", 1, r -> r.executor().etcdCpuSeconds());
            row(
                    t,
                    on,
                    off,
                    "bench JVM CPU ms per task",
                    2,
                    r -> perTask(r, r.executor().benchCpuSeconds()));
            row(
                    t,
                    on,
                    off,
                    "kube-apiserver CPU ms per task",
                    2,
                    r -> perTask(r, r.executor().apiServerCpuSeconds()));
            row(t, on, off, "executor requests per task (audit)", 3, ExecutorResultsTables::requestsPerTask);
            row(t, on, off, "succeeded", 0, r -> r.executor().succeeded());
            row(t, on, off, "load before the phase", 2, r -> r.environment().loadBeforeExecutor());
            double ratio = on.executor().tasksPerSecond() / off.executor().tasksPerSecond();
            sb.append(t.render())
                    .append(String.format(
                            "goal: tasks/s on ÷ off ≥ 0.85×: %s (%s); they ran in the order %s%n",
                            Table.ratio(ratio),
                            ratio >= 0.85 ? "met" : "NOT met",
                            first.options().results()));
        }
        return sb.toString();
    }

    /**
     * Every executor phase's requests per task by "VERB resource[/subresource]": the executor's
     * (audit log, its clients, its namespace) with the goal for each, then all clients' (/metrics).
     */
    static String requestsByVerb(ExecutorReport first) {
        List<ExecutorReport> all = all(first);
        List<String> headers = new ArrayList<>(List.of("request"));
        for (ExecutorReport r : all) {
            headers.add(r.options().variant() + " /task");
        }
        headers.add("count (" + first.options().variant() + ")");
        headers.add("goal");
        Table t = new Table(
                "Executor's requests per task by verb and subresource (audit log, its clients, its namespace)",
                headers.toArray(String[]::new));
        Set<String> keys = new LinkedHashSet<>();
        for (ExecutorReport r : all) {
            keys.addAll(r.perTask().byVerb().keySet());
        }
        for (String k : keys) {
            List<Object> cells = new ArrayList<>(List.of(k));
            for (ExecutorReport r : all) {
                cells.add(Table.num(
                        r.perTask().byVerb().getOrDefault(k, 0L)
                                / (double) r.options().tasks(),
                        3));
            }
            cells.add(first.perTask().byVerb().getOrDefault(k, 0L));
            cells.add(goal(k));
            t.row(cells.toArray());
        }
        StringBuilder sb = new StringBuilder(t.render());
        sb.append("(GET pods/log: the archive's read of each container's log when a try ends; LIST and WATCH: the"
                + " pod and event informers, per namespace)\n\n");

        List<String> mh = new ArrayList<>(List.of("request"));
        for (ExecutorReport r : all) {
            mh.add(r.options().variant() + " /task");
        }
        Table m = new Table(
                "All clients' requests per task by verb and subresource (/metrics apiserver_request_total delta,"
                        + " executor namespace scope; the simulator's bindings, statuses and deletes included)",
                mh.toArray(String[]::new));
        List<Map<String, Long>> metrics = new ArrayList<>();
        Set<String> mkeys = new LinkedHashSet<>();
        for (ExecutorReport r : all) {
            Map<String, Long> byKey = new java.util.TreeMap<>();
            for (ExecutorReport.ApiRow row : r.metricsDelta()) {
                if (row.code().equals("open")) {
                    continue;
                }
                byKey.merge(
                        row.verb() + " " + row.resource()
                                + (row.subresource().isEmpty() ? "" : "/" + row.subresource()),
                        row.count(),
                        Long::sum);
            }
            metrics.add(byKey);
            mkeys.addAll(byKey.keySet());
        }
        for (String k : new java.util.TreeSet<>(mkeys)) {
            List<Object> cells = new ArrayList<>(List.of(k));
            for (int i = 0; i < all.size(); i++) {
                cells.add(Table.num(
                        metrics.get(i).getOrDefault(k, 0L)
                                / (double) all.get(i).options().tasks(),
                        3));
            }
            m.row(cells.toArray());
        }
        sb.append(m.render());
        sb.append("(/metrics has no user or namespace label: every client's namespaced requests over the phase,"
                + " the simulator's writes included)\n");
        return sb.toString();
    }

    private static String goal(String key) {
        return switch (key) {
            case "CREATE pods" -> "1";
            case "PATCH pods", "DELETE pods" -> "≤ 1";
            case "GET pods/log" -> "= containers (on), 0 (off)";
            case "GET pods" -> "0";
            case "LIST pods", "LIST events", "WATCH pods", "WATCH events" -> "per namespace";
            default -> key.startsWith("GET") || key.startsWith("LIST") ? "none" : "-";
        };
    }

    private static double requestsPerTask(ExecutorReport r) {
        return r.perTask().byVerb().values().stream().mapToLong(Long::longValue).sum()
                / (double) r.options().tasks();
    }

    private static double perTask(ExecutorReport r, double seconds) {
        return seconds
                * 1000
                / Math.max(1, r.executor().succeeded() + r.executor().failed());
    }

    private static double p50(ExecutorReport r, String stage) {
        ExecutorStats.Percentiles p = r.stages().get(stage);
        return p == null ? Double.NaN : p.p50();
    }

    private static double p99(ExecutorReport r, String stage) {
        ExecutorStats.Percentiles p = r.stages().get(stage);
        return p == null ? Double.NaN : p.p99();
    }

    private static void row(
            Table t,
            ExecutorReport on,
            ExecutorReport off,
            String what,
            int decimals,
            ToDoubleFunction<ExecutorReport> f) {
        double a = f.applyAsDouble(on);
        double b = f.applyAsDouble(off);
        t.row(what, Table.num(a, decimals), Table.num(b, decimals), a > 0 && b > 0 ? Table.ratio(a / b) : "-");
    }
}
