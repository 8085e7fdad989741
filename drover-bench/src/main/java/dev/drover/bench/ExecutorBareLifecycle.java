package dev.drover.bench;

import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The limit for whole tasks: the API work every executor must do per task and nothing else, by a
 * plain client against the same apiserver and simulator. It creates the same pods (as many in
 * flight as the executor's parallelism, as many creates at once as its launch concurrency), frees a
 * slot the moment a plain watch sees the pod terminal, and deletes the pod beside it. No store, no
 * classifier, no informer. The executor's tasks/s over this rate is Drover's own overhead.
 *
 * <p>The raw create rate ({@link ExecutorRawCreates}) is a different limit: one write per pod, while
 * a task also costs the simulator's binding and status writes and the delete, each fanned out to
 * every watcher.
 */
final class ExecutorBareLifecycle {

    /** One bare run: first create to last terminal status seen. */
    record Result(
            int pods,
            int parallelism,
            int concurrency,
            double seconds,
            double tasksPerSecond,
            long retried,
            long deleteFailures,
            double apiServerCpuMsPerTask,
            double etcdCpuMsPerTask,
            double benchCpuMsPerTask) {}

    private ExecutorBareLifecycle() {}

    static Result run(
            KubeHttp http,
            KubeHttp watchHttp,
            String namespace,
            Supplier<TaskSpec> spec,
            int pods,
            int parallelism,
            int concurrency,
            CpuMeter cpu,
            Progress progress)
            throws Exception {
        Semaphore slots = new Semaphore(parallelism);
        Semaphore deleting = new Semaphore(concurrency);
        AtomicLong deleteFailures = new AtomicLong();
        AtomicLong retried = new AtomicLong();
        String podsPath = "/api/v1/namespaces/" + namespace + "/pods/";
        try (ExecutorService deletes = Executors.newVirtualThreadPerTaskExecutor();
                ExecutorPodWatch watch = new ExecutorPodWatch(watchHttp, namespace)) {
            watch.onTerminal(name -> {
                slots.release();
                deletes.submit(() -> {
                    deleting.acquireUninterruptibly();
                    try {
                        int code = http.send("DELETE", podsPath + name, null, "application/json")
                                .statusCode();
                        if (code != 200 && code != 202 && code != 404) {
                            deleteFailures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        deleteFailures.incrementAndGet();
                    } finally {
                        deleting.release();
                    }
                    return null;
                });
            });
            watch.start();
            CpuMeter.Reading cpu0 = cpu.read();
            long t0 = System.nanoTime();
            AtomicInteger next = new AtomicInteger();
            List<Throwable> failures = new ArrayList<>();
            List<Thread> creators = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                creators.add(Thread.ofVirtual().name("bare-create-" + w).start(() -> {
                    while (next.getAndIncrement() < pods) {
                        try {
                            slots.acquire();
                            String json = spec.get().toPod(TaskIds.next(), 1, ExecutorBench.RAW_OWNER);
                            ExecutorRawCreates.post(http, namespace, json, retried, "bare create");
                        } catch (Exception e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                            return;
                        }
                    }
                }));
            }
            long deadline = t0 + Duration.ofMinutes(15).toNanos();
            while (watch.terminal() < pods && System.nanoTime() < deadline && failures.isEmpty()) {
                Thread.sleep(100);
                progress.tick("bare lifecycles (terminal seen)", (int) watch.terminal(), pods);
            }
            for (Thread t : creators) {
                t.join(1000);
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException(
                        failures.size() + " bare creators failed; first: " + failures.get(0), failures.get(0));
            }
            if (watch.terminal() < pods) {
                throw new IllegalStateException(
                        "bare lifecycles: only " + watch.terminal() + " of " + pods + " pods ended within 15 min");
            }
            long last = watch.pods().values().stream()
                    .mapToLong(s -> s.terminal)
                    .max()
                    .orElse(System.nanoTime());
            double seconds = (last - t0) / 1e9;
            CpuMeter.Usage used = cpu.since(cpu0);
            // The deletes settle before the executor's phase starts, so its writes do not overlap.
            long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (watch.deleted() < watch.added() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            return new Result(
                    pods,
                    parallelism,
                    concurrency,
                    seconds,
                    pods / seconds,
                    retried.get(),
                    deleteFailures.get(),
                    used.apiServerMsPer(pods),
                    used.etcdMsPer(pods),
                    used.jvmMsPer(pods));
        }
    }
}
