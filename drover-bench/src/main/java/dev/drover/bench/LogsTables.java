package dev.drover.bench;

/** The log benchmark's tables ({@link LogsBench.Report} as text), also the tail of {@code executor --logs}. */
final class LogsTables {
    private LogsTables() {}

    static String render(LogsBench.Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "logs: archive %d tasks × %s (run=%s) per store; follow %s over %s; machine: %d cores, load %.2f at"
                        + " start, %.2f at end; Java %s%n%n",
                r.options().archiveTasks(),
                r.options().archiveLog(),
                r.options().archiveRun(),
                r.options().followLog(),
                r.options().followRun(),
                r.cores(),
                r.loadAtStart(),
                r.loadAtEnd(),
                r.java()));
        Table a = new Table(
                "Archive bytes in the store per MB (10^6 bytes) of log (Drover's defaults: in the task store, gzip"
                        + " chunks, cap 10 MiB)",
                "store",
                "tasks",
                "archives",
                "log MB",
                "stored B",
                "stored B/MB",
                "on disk +B",
                "on disk B/MB",
                "archive ms p50",
                "max",
                "on disk is");
        for (LogsArchiveSize.Result x : r.archive()) {
            a.row(
                    x.store(),
                    x.succeeded() + "/" + x.tasks(),
                    x.archives(),
                    Table.num(x.originalBytes() / 1e6, 1),
                    Table.num(x.storedBytes(), 0),
                    Table.num(x.storedBytesPerLogMb(), 0),
                    x.onDiskBefore() < 0 ? "-" : Table.num(x.onDiskAfter() - x.onDiskBefore(), 0),
                    Table.num(x.onDiskBytesPerLogMb(), 0),
                    Table.num(x.archiveMs().p50(), 0),
                    Table.num(x.archiveMs().max(), 0),
                    x.onDiskWhat());
        }
        sb.append(a.render())
                .append("(stored B: the archive's own account, gzip bytes of the chunks; the generated lines repeat a"
                        + " lot, so real logs compress less)\n\n");

        LogsFollowHeap.Result f = r.follow();
        Table h = new Table(
                "Heap while a " + r.options().followLog() + " log is followed (TaskLogs, -f) and archived, store "
                        + f.store() + " (MB = 10^6 B; baseline: live heap before the submit "
                        + Table.num(f.baselineLiveBytes() / 1e6, 1) + " MB)",
                "window",
                "s",
                "live peak +MB",
                "after-GC peak +MB",
                "used peak MB",
                "GCs",
                "forced full GCs");
        heapRow(h, "follow (container running, log streamed to the follower)", f.followHeap());
        heapRow(h, "archive (Drover reads the log once more, writes the store)", f.archiveHeap());
        sb.append(h.render())
                .append("(live: used right after a forced full GC; after-GC: after any GC; used: sampled every 20 ms,"
                        + " garbage included; the simulator generating the log runs in the same JVM)\n\n");

        Table c = new Table("Follow and archive of the " + r.options().followLog() + " log", "what", "value");
        SimLogCheck.Result fl = f.followed();
        c.row("task", f.taskState() + (f.error() == null ? "" : "; follow failed: " + f.error()));
        c.row(
                "followed lines",
                String.format(
                        "%,d of %,d expected (%,d bytes) in %.1f s; lost %d, repeated %d, garbled %d: %s",
                        fl.lines(),
                        fl.expectedLines(),
                        fl.bytes(),
                        f.followSeconds(),
                        fl.lost(),
                        fl.repeated(),
                        fl.garbled(),
                        fl.complete() ? "complete" : "NOT complete"));
        c.row(
                "archived",
                String.format(
                        "%,d bytes read, %,d kept (head + tail), %,d cut; cap %,d; %,d bytes stored (gzip)",
                        f.archivedOriginalBytes(),
                        f.archivedOriginalBytes() - f.archivedCutBytes(),
                        f.archivedCutBytes(),
                        f.capBytes(),
                        f.archivedStoredBytes()));
        c.row("time to archive", Table.num(f.archiveMs(), 0) + " ms (LogArchive.store: the log's GET streamed in)");
        SimLogCheck.Result ar = f.archived();
        c.row(
                "archive read back",
                String.format(
                        "%,d lines, %d marker line(s), %,d lines cut (%,d bytes); lost %d, repeated %d, garbled %d",
                        ar.lines(),
                        ar.markers(),
                        ar.cutLines(),
                        ar.cutLines() * dev.drover.sim.SimLogs.LINE_BYTES,
                        ar.lost(),
                        ar.repeated(),
                        ar.garbled()));
        sb.append(c.render()).append('\n');

        Table g = new Table("Log goals", "goal", "measured", "target", "met");
        g.row(
                "followed log: no line lost or repeated",
                fl.complete()
                        ? "complete"
                        : "lost " + fl.lost() + ", repeated " + fl.repeated() + ", garbled " + fl.garbled(),
                "all lines once",
                yes(fl.complete()));
        long kept = f.archivedOriginalBytes() - f.archivedCutBytes();
        g.row(
                "archive within the cap",
                Table.num(kept, 0) + " B",
                "≤ " + Table.num(f.capBytes(), 0) + " B",
                yes(kept <= f.capBytes()));
        g.row("archive = head + cut + tail", archiveConsistent(f) ? "yes" : "no", "exact", yes(archiveConsistent(f)));
        long peak =
                Math.max(f.followHeap().livePeakAboveBaseline(), f.archiveHeap().livePeakAboveBaseline());
        g.row(
                "live heap above baseline (never the whole log)",
                Table.num(peak / 1e6, 1) + " MB",
                "< half the log (" + Table.num(f.logBytes() / 2e6, 0) + " MB)",
                yes(peak >= 0 && peak < f.logBytes() / 2));
        sb.append(g.render()).append('\n');
        return sb.toString();
    }

    /** The archived text reads back as the log's head, one marker, its tail, the cut exactly cutBytes. */
    static boolean archiveConsistent(LogsFollowHeap.Result f) {
        SimLogCheck.Result a = f.archived();
        boolean cut = f.archivedCutBytes() > 0;
        return a.lost() == 0
                && a.repeated() == 0
                && a.garbled() == 0
                && a.markers() == (cut ? 1 : 0)
                && a.cutLines() * dev.drover.sim.SimLogs.LINE_BYTES == f.archivedCutBytes()
                && f.archivedOriginalBytes() == f.logBytes();
    }

    /** Everything ran and the checks that are not timings held. */
    static boolean sane(LogsBench.Report r) {
        return r.follow().followed().complete()
                && archiveConsistent(r.follow())
                && r.archive().stream().allMatch(a -> a.succeeded() == a.tasks() && a.archives() == a.tasks());
    }

    private static String yes(boolean b) {
        return b ? "yes" : "NO";
    }

    private static void heapRow(Table t, String what, LogsFollowHeap.Heap h) {
        t.row(
                what,
                Table.num(h.seconds(), 1),
                h.livePeak() < 0 ? "-" : Table.num(h.livePeakAboveBaseline() / 1e6, 1),
                h.afterGcPeak() < 0 ? "-" : Table.num(h.afterGcPeakAboveBaseline() / 1e6, 1),
                Table.num(h.sampledPeak() / 1e6, 1),
                h.gcs(),
                h.fullGcs());
    }
}
