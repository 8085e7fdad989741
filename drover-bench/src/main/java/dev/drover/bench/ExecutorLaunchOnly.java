package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.task.TaskSpec;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Drover's launch path held against the raw create rate under the same conditions: tasks into a
 * namespace no simulated node serves (like the raw creates), so the apiserver does the creates and
 * nothing else, with parallelism as large as the batch so no slot has to free. Submit, claim, the
 * store, the pod's build and its create: from the first submit to the last pod seen by a plain watch.
 * The pods stay Pending; the tasks are left in their own store when the phase ends.
 */
final class ExecutorLaunchOnly {

    record Result(int tasks, int concurrency, double seconds, double launchesPerSecond, double submitSeconds) {}

    private ExecutorLaunchOnly() {}

    static Result run(
            Config execConfig,
            KubeHttp watchHttp,
            String namespace,
            Supplier<TaskSpec> spec,
            TaskStore store,
            int tasks,
            double launchQps,
            int concurrency,
            int submitThreads,
            Duration tick,
            Progress progress)
            throws Exception {
        try (ExecutorPodWatch watch = new ExecutorPodWatch(watchHttp, namespace).start();
                Drover drover = Drover.builder(execConfig, store)
                        .schedulerId("launch-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                        .parallelism(tasks)
                        .launchRate(launchQps, concurrency)
                        .tick(tick)
                        .build()
                        .start()) {
            long t0 = System.nanoTime();
            double submitSeconds = submitAll(drover, spec, tasks, submitThreads) / 1e9;
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            while (watch.added() < tasks && System.nanoTime() < deadline) {
                Thread.sleep(100);
                progress.tick("launch only (pods created)", (int) watch.added(), tasks);
            }
            if (watch.added() < tasks) {
                throw new IllegalStateException(
                        "launch only: " + watch.added() + " of " + tasks + " pods created within 10 min");
            }
            long last =
                    watch.pods().values().stream().mapToLong(s -> s.added).max().orElseThrow();
            double seconds = (last - t0) / 1e9;
            return new Result(tasks, concurrency, seconds, tasks / seconds, submitSeconds);
        }
    }

    /** Submits {@code tasks} tasks from {@code threads} threads; returns the nanoseconds it took. */
    static long submitAll(Drover drover, Supplier<TaskSpec> spec, int tasks, int threads) throws InterruptedException {
        long t0 = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        List<Throwable> failures = new ArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < threads; s++) {
            submitters.add(Thread.ofPlatform().name("launch-submit-" + s).start(() -> {
                while (next.getAndIncrement() < tasks) {
                    try {
                        drover.submit(spec.get());
                    } catch (RuntimeException e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                        return;
                    }
                }
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("submitting failed: " + failures.get(0), failures.get(0));
        }
        return System.nanoTime() - t0;
    }
}
