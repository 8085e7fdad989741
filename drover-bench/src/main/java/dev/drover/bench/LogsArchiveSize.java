package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.ArchivedLog;
import dev.drover.sim.NodeSimulator;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Archive bytes per MB of log: {@code --archive-tasks} tasks each writing a generated log of {@code
 * --archive-log} bytes run through Drover with its defaults (finalizer, archive in the store, cap
 * 10 MiB); then the archive's own account (original, stored, cut bytes of each log) and the store's
 * growth (PostgreSQL: the log tables' total size; H2: the file) ÷ MB of log. The generated lines
 * repeat a lot, so gzip does better on them than on most real logs: the stored ratio is a best case,
 * the per-archive overhead (rows, pages) is what the figure tells for small logs.
 */
final class LogsArchiveSize {
    /** One store's figures; per MB = per 10^6 bytes of log as read. */
    record Result(
            String store,
            int tasks,
            long logBytesPerTask,
            long succeeded,
            long archives,
            long originalBytes,
            long storedBytes,
            long cutBytes,
            String onDiskWhat,
            long onDiskBefore,
            long onDiskAfter,
            double storedBytesPerLogMb,
            double onDiskBytesPerLogMb,
            ExecutorStats.Percentiles archiveMs,
            double seconds) {}

    private final LogsBench.Options o;
    private final Progress progress;

    LogsArchiveSize(LogsBench.Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    Result run(Config config, LogsBench.Opened s, String ns) throws Exception {
        long perTask = o.archiveLogBytes();
        progress.say(
                "archive size on %s: %d tasks, each run=%s; log-bytes=%s, into %s",
                s.kind(), o.archiveTasks(), o.archiveRun(), o.archiveLog(), ns);
        TimedLogArchive archive = new TimedLogArchive(s.store().logs());
        long before = s.onDiskBytes().getAsLong();
        long t0 = System.nanoTime();
        List<Task> done = new ArrayList<>();
        try (Drover drover = Drover.builder(config, s.store())
                .schedulerId("bench-logs-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                .logArchive(archive)
                .build()
                .start()) {
            TaskSpec spec = spec(ns, "run=" + o.archiveRun() + "; log-bytes=" + o.archiveLog());
            List<TaskSpec> specs = new ArrayList<>();
            for (int i = 0; i < o.archiveTasks(); i++) {
                specs.add(spec);
            }
            List<TaskHandle> handles = drover.submitAll(specs);
            Duration max = Duration.ofMinutes(3);
            CompletableFuture.allOf(handles.stream().map(TaskHandle::result).toArray(CompletableFuture[]::new))
                    .get(max.toMillis(), TimeUnit.MILLISECONDS);
            for (TaskHandle h : handles) {
                done.add(h.result().join());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(1500); // H2 writes its file in the background (about every second)
        long after = s.onDiskBytes().getAsLong();
        long original = 0;
        long stored = 0;
        long cut = 0;
        long archives = 0;
        for (Task t : done) {
            for (ArchivedLog a : s.store().logs().list(t.id())) {
                archives++;
                original += a.originalBytes();
                stored += a.storedBytes();
                cut += a.cutBytes();
            }
        }
        long[] nanos = archive.stored().stream()
                .mapToLong(x -> x.endNanos() - x.startNanos())
                .toArray();
        double mb = original / 1e6;
        Result r = new Result(
                s.kind(),
                o.archiveTasks(),
                perTask,
                done.stream().filter(t -> t.state() == TaskState.SUCCEEDED).count(),
                archives,
                original,
                stored,
                cut,
                s.onDiskWhat(),
                before,
                after,
                stored / mb,
                before < 0 ? Double.NaN : (after - before) / mb,
                ExecutorStats.percentiles(nanos),
                seconds);
        progress.say(
                "  %s: %,d bytes of log, %,d stored (%.0f per MB), on disk +%,d (%.0f per MB)",
                s.kind(), original, stored, r.storedBytesPerLogMb(), after - before, r.onDiskBytesPerLogMb());
        return r;
    }

    static TaskSpec spec(String ns, String behaviour) {
        return TaskSpec.builder("logs")
                .namespace(ns)
                .image("registry.example/bench:1")
                .command("sleep", "1")
                .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, behaviour)
                .build();
    }
}
