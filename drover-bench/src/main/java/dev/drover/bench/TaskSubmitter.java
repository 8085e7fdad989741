package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Submits tasks to Drover as an application would: a few platform threads, each calling {@code
 * submitAll} with a batch (or {@code submit} one by one when the batch is 1). Launch-only and the
 * executor run submit alike, so their rates compare.
 */
final class TaskSubmitter {
    /** Told, on the submitting thread, of each call's handles and the nanoTime just before the call. */
    interface Submitted {
        void accept(long at, List<TaskHandle> handles);
    }

    private TaskSubmitter() {}

    /** {@code tasks} tasks from {@code threads} threads named {@code threadName}#, {@code batch} per call. */
    static void submit(
            Drover drover,
            Supplier<TaskSpec> spec,
            int tasks,
            int threads,
            int batch,
            String threadName,
            Submitted then)
            throws InterruptedException {
        Workers.run(Thread.ofPlatform().name(threadName, 0), threads, 0, tasks, batch, "submitters", (from, n) -> {
            long at = System.nanoTime();
            List<TaskHandle> handles = n == 1 && batch <= 1
                    ? List.of(drover.submit(spec.get()))
                    : drover.submitAll(Collections.nCopies(n, spec.get()));
            then.accept(at, handles);
        });
    }
}
