package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskLogs;
import dev.drover.core.TaskState;
import dev.drover.kube.KubeApi;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Heap while a big log is followed and archived: one task {@code run=<--follow-run>;
 * log-bytes=<--follow-log>} through Drover with its defaults (finalizer, archive in the store, cap
 * 10 MiB). Once it runs, {@link TaskLogs} follows its log (as {@code drover logs -f} does) into a
 * {@link SimLogCheck} that checks every line; when the container ends Drover reads the log once
 * more and archives it (head and tail over the cap). {@link HeapSampler} runs throughout, with a
 * full GC every {@code --gc-every}: the live heap above the baseline (two full GCs before the
 * submit) in each window is what following and archiving hold (every 250 ms while the archive is
 * written, so its time includes those pauses). Afterwards the archive is read back
 * through another check (its head, the cut marker, its tail).
 *
 * <p>Windows: <b>follow</b> from the follow's start until Drover begins to archive; <b>archive</b>
 * from then until the archive is written ({@link TimedLogArchive}). The simulator serving the log
 * (generated line by line, never held) runs in the same JVM.
 */
final class LogsFollowHeap {
    /** Heap in one window, bytes; {@code *AboveBaseline}: − the live heap before the submit. */
    record Heap(
            double seconds,
            long sampledPeak,
            long afterGcPeak,
            long livePeak,
            long livePeakAboveBaseline,
            long afterGcPeakAboveBaseline,
            int gcs,
            int fullGcs) {}

    record Result(
            String store,
            long logBytes,
            String run,
            @Nullable String taskState,
            @Nullable String error,
            long baselineLiveBytes,
            SimLogCheck.Result followed,
            double followSeconds,
            Heap followHeap,
            Heap archiveHeap,
            double archiveMs,
            long archivedOriginalBytes,
            long archivedStoredBytes,
            long archivedCutBytes,
            SimLogCheck.Result archived,
            long capBytes) {}

    private final LogsBench.Options o;
    private final Progress progress;

    LogsFollowHeap(LogsBench.Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    Result run(Config config, LogsBench.Opened s, String ns) throws Exception {
        long bytes = o.followLogBytes();
        progress.say(
                "follow + archive on %s: one task run=%s; log-bytes=%s, followed with TaskLogs while it runs,"
                        + " full GC every %d ms",
                s.kind(), o.followRun(), o.followLog(), o.gcEveryMs());
        TimedLogArchive archive = new TimedLogArchive(s.store().logs());
        SimLogCheck followed = new SimLogCheck(bytes, false);
        AtomicReference<Throwable> followError = new AtomicReference<>();
        long followStart;
        long followEnd;
        Task end;
        HeapSampler heap;
        long baseline;
        try (Drover drover = Drover.builder(config, s.store())
                        .schedulerId("bench-follow-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                        .logArchive(archive)
                        .build()
                        .start();
                KubeApi api = KubeApi.builder(config).build()) {
            baseline = HeapSampler.liveNow();
            heap = new HeapSampler(Duration.ofMillis(20), Duration.ofMillis(o.gcEveryMs()));
            HeapSampler sampler = heap;
            // The archive write is short: live points every 250 ms while it runs.
            archive.around(() -> sampler.fullGcEvery(Duration.ofMillis(250)), () -> sampler.fullGcEvery(null));
            try (heap) {
                TaskHandle h = drover.submit(
                        LogsArchiveSize.spec(ns, "run=" + o.followRun() + "; log-bytes=" + o.followLog()));
                awaitRunning(s, h.id());
                TaskLogs logs = new TaskLogs(s.store(), archive, () -> api);
                followStart = System.nanoTime();
                Thread follower = Thread.ofPlatform().name("bench-follow").start(() -> {
                    try {
                        logs.write(new TaskLogs.Request(h.id(), null, null, null, true), followed);
                    } catch (Throwable e) {
                        followError.set(e);
                    }
                });
                long limit = Duration.ofMinutes(5).toMillis();
                follower.join(limit);
                followEnd = System.nanoTime();
                end = h.result().get(limit, TimeUnit.MILLISECONDS);
            }
        }
        List<TimedLogArchive.Stored> stored = archive.stored();
        TimedLogArchive.Stored a = stored.isEmpty() ? null : stored.getFirst();
        long archiveStart = a == null ? followEnd : a.startNanos();
        long archiveEnd = a == null ? followEnd : a.endNanos();
        SimLogCheck archivedCheck = new SimLogCheck(bytes, true);
        if (a != null) {
            archive.copyTo(end.id(), 1, a.log().container(), archivedCheck);
        }
        Throwable err = followError.get();
        Result r = new Result(
                s.kind(),
                bytes,
                o.followRun(),
                end.state().name(),
                err == null ? null : err.toString(),
                baseline,
                followed.result(),
                (followEnd - followStart) / 1e9,
                heap(heap, baseline, followStart, Math.min(archiveStart, followEnd)),
                heap(heap, baseline, archiveStart, archiveEnd),
                a == null ? Double.NaN : a.millis(),
                a == null ? -1 : a.log().originalBytes(),
                a == null ? -1 : a.log().storedBytes(),
                a == null ? -1 : a.log().cutBytes(),
                archivedCheck.result(),
                Drover.DEFAULT_LOG_CAP_BYTES);
        progress.say(
                "  followed %,d lines (%s), live heap peak +%.1f MB following, +%.1f MB archiving; archived %,d of"
                        + " %,d bytes (%,d cut) in %.0f ms",
                r.followed().lines(),
                r.followed().complete() ? "complete" : "NOT complete",
                r.followHeap().livePeakAboveBaseline() / 1e6,
                r.archiveHeap().livePeakAboveBaseline() / 1e6,
                r.archivedOriginalBytes() - r.archivedCutBytes(),
                r.archivedOriginalBytes(),
                r.archivedCutBytes(),
                r.archiveMs());
        return r;
    }

    private static Heap heap(HeapSampler heap, long baseline, long from, long to) {
        HeapSampler.Window w = heap.window(from, to);
        return new Heap(
                (to - from) / 1e9,
                w.sampledPeak(),
                w.afterGcPeak(),
                w.livePeak(),
                w.livePeak() < 0 ? -1 : w.livePeak() - baseline,
                w.afterGcPeak() < 0 ? -1 : w.afterGcPeak() - baseline,
                w.gcs(),
                w.liveSamples());
    }

    /** Until the store says the task runs (its pod is there to follow). */
    private static void awaitRunning(LogsBench.Opened s, String id) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            Task t = s.store().get(id).orElseThrow();
            if (t.state() == TaskState.RUNNING) {
                return;
            }
            if (t.state().isTerminal()) {
                throw new IllegalStateException("task " + id + " ended before it could be followed: " + t);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("task " + id + " did not start running within 2 minutes");
    }
}
