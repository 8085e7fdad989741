package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
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
            int submitBatch,
            Duration tick,
            Progress progress)
            throws Exception {
        try (ExecutorPodWatch watch = new ExecutorPodWatch(watchHttp, namespace).start();
                Drover drover = Drover.builder(execConfig, store)
                        .schedulerId("launch-" + Long.toString(System.nanoTime() % 1_000_000L, 36))
                        .parallelism(tasks + ExecutorRawCreates.warmUp(tasks, concurrency)) // no slot has to free
                        .launchRate(launchQps, concurrency)
                        .tick(tick)
                        .build()
                        .start()) {
            // Warm-up, not timed, as for the raw creates: the informer's start, class loading and JIT.
            int warmUp = ExecutorRawCreates.warmUp(tasks, concurrency);
            TaskSubmitter.submit(drover, spec, warmUp, 1, warmUp, "launch-submit-", (at, handles) -> {});
            awaitPods(watch, warmUp, Duration.ofMinutes(2), null, 0);
            long t0 = System.nanoTime();
            TaskSubmitter.submit(
                    drover, spec, tasks, submitThreads, submitBatch, "launch-submit-", (at, handles) -> {});
            double submitSeconds = (System.nanoTime() - t0) / 1e9;
            try {
                awaitPods(watch, warmUp + tasks, Duration.ofMinutes(3), progress, warmUp);
            } catch (IllegalStateException e) {
                // What the store and the server say, to tell a lost launch from a missed watch event.
                long onServer = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(watchHttp.getString("/api/v1/namespaces/" + namespace + "/pods"))
                        .path("items")
                        .size();
                throw new IllegalStateException(
                        e.getMessage() + "; the store's states: " + store.countByState() + "; pods on the server: "
                                + onServer + "; Drover in flight: " + drover.inFlight(),
                        e);
            }
            long last =
                    watch.pods().values().stream().mapToLong(s -> s.added).max().orElseThrow();
            double seconds = (last - t0) / 1e9;
            return new Result(tasks, concurrency, seconds, tasks / seconds, submitSeconds);
        }
    }

    private static void awaitPods(ExecutorPodWatch watch, int pods, Duration max, Progress progress, int before)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (watch.added() < pods && System.nanoTime() < deadline) {
            Thread.sleep(100);
            if (progress != null) {
                progress.tick("launch only (pods created)", (int) watch.added() - before, pods - before);
            }
        }
        if (watch.added() < pods) {
            throw new IllegalStateException(
                    "launch only: " + watch.added() + " of " + pods + " pods created within " + max);
        }
    }
}
