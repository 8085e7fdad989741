package dev.drover.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The resync benchmark's tables: per size, the contenders' syncs and then our ratios to the others. */
final class ResyncTables {
    private ResyncTables() {}

    static String render(ResyncBench.Report r) {
        StringBuilder sb = new StringBuilder();
        for (ResyncBench.SizeResult s : r.sizes()) {
            Table t = new Table(
                    String.format(
                            "resync: %,d pods in %d namespace(s); created at %,.0f pods/s; best of %d, each in %s",
                            s.pods(), s.namespaces(), s.createPerSecond(), r.repeat(), r.measuredIn()),
                    "contender",
                    "sync s",
                    "median s",
                    "pods/s",
                    "heap B/pod",
                    "wire B/pod",
                    "CPU s",
                    "alloc MB",
                    "LIST",
                    "WATCH",
                    "ok");
            for (ResyncBench.ContenderSummary c : s.contenders()) {
                t.row(
                        c.contender(),
                        Table.num(c.bestSyncMillis() / 1000, 2),
                        Table.num(c.medianSyncMillis() / 1000, 2),
                        Table.num(s.pods() / (c.bestSyncMillis() / 1000), 0),
                        Double.isNaN(c.retainedBytesPerPod()) ? "-" : Table.num(c.retainedBytesPerPod(), 0),
                        c.bodyBytes() > 0 ? Table.num(c.bodyBytes() / (double) s.pods(), 0) : "-",
                        Table.num(c.cpuMillis() / 1000, 2),
                        Table.num(c.allocatedBytes() / 1e6, 0),
                        c.lists(),
                        c.watches(),
                        c.okRuns() + "/" + c.runs().size());
            }
            sb.append(t.render()).append('\n');
            sb.append(ratios(s)).append('\n');
        }
        return sb.toString();
    }

    private static String ratios(ResyncBench.SizeResult s) {
        Map<String, ResyncBench.ContenderSummary> by = new LinkedHashMap<>();
        s.contenders().forEach(c -> by.put(c.contender(), c));
        ResyncBench.ContenderSummary fabric8 = by.get(Contender.FABRIC8.label);
        ResyncBench.ContenderSummary clientJava = by.get(Contender.CLIENT_JAVA.label);
        Table t = new Table(
                String.format(
                        "resync ratios at %,d pods (time: best sync ÷ the other's best; CPU: client CPU of those runs;"
                                + " goals: ≤ 3× raw, ≤ 1024 B/pod)",
                        s.pods()),
                "ours",
                "÷ raw",
                "raw read",
                "≤3×",
                "÷ fabric8",
                "÷ client-java",
                "heap B/pod",
                "≤1KiB",
                "heap ÷ fabric8",
                "heap ÷ client-java",
                "÷ raw same pattern",
                "CPU ÷ raw",
                "CPU ÷ fabric8",
                "CPU ÷ client-java");
        for (ResyncBench.ContenderSummary c : s.contenders()) {
            Contender k = Contender.byLabel(c.contender());
            if (!k.ours()) {
                continue;
            }
            ResyncBench.ContenderSummary raw = by.get(k.rawReference().label);
            ResyncBench.ContenderSummary same = by.get(k.rawSamePattern().label);
            double vsRaw = raw == null ? Double.NaN : c.bestSyncMillis() / raw.bestSyncMillis();
            t.row(
                    c.contender(),
                    Table.ratio(vsRaw),
                    raw == null ? "-" : raw.contender(),
                    Double.isNaN(vsRaw) ? "-" : vsRaw <= 3 ? "yes" : "NO",
                    Table.ratio(fabric8 == null ? Double.NaN : c.bestSyncMillis() / fabric8.bestSyncMillis()),
                    Table.ratio(clientJava == null ? Double.NaN : c.bestSyncMillis() / clientJava.bestSyncMillis()),
                    Double.isNaN(c.retainedBytesPerPod()) ? "-" : Table.num(c.retainedBytesPerPod(), 0),
                    Double.isNaN(c.retainedBytesPerPod()) ? "-" : c.retainedBytesPerPod() <= 1024 ? "yes" : "NO",
                    Table.ratio(fabric8 == null ? Double.NaN : c.retainedBytesPerPod() / fabric8.retainedBytesPerPod()),
                    Table.ratio(
                            clientJava == null
                                    ? Double.NaN
                                    : c.retainedBytesPerPod() / clientJava.retainedBytesPerPod()),
                    Table.ratio(same == null ? Double.NaN : c.bestSyncMillis() / same.bestSyncMillis()),
                    Table.ratio(raw == null ? Double.NaN : c.cpuMillis() / raw.cpuMillis()),
                    Table.ratio(fabric8 == null ? Double.NaN : c.cpuMillis() / fabric8.cpuMillis()),
                    Table.ratio(clientJava == null ? Double.NaN : c.cpuMillis() / clientJava.cpuMillis()));
        }
        return t.render();
    }
}
