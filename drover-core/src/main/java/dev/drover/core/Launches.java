package dev.drover.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The creates in flight: at most the launch concurrency at once, each on a virtual thread, each
 * answer (never an exception) posted to the inbox. The launch rate is the {@code create} verb's
 * token bucket in drover-kube's {@code KubeApi}.
 */
final class Launches implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Launches.class);
    private final Launcher launcher;
    private final Consumer<Message> inbox;
    private final Semaphore slots;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.function.BooleanSupplier fenced;
    private final EngineMetrics metrics;

    Launches(
            Launcher launcher,
            int concurrency,
            Consumer<Message> inbox,
            java.util.function.BooleanSupplier fenced,
            EngineMetrics metrics) {
        this.launcher = launcher;
        this.metrics = metrics;
        this.slots = new Semaphore(concurrency);
        this.inbox = inbox;
        this.fenced = fenced;
    }

    void start(ActiveTask a) {
        threads.submit(() -> {
            LaunchResult r = launch(a);
            metrics.launched(a, r); // here: the moment the create answered, not when the worker gets to it
            inbox.accept(new Message.Launched(a.id, a.tryNumber, r));
        });
    }

    private LaunchResult launch(ActiveTask a) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LaunchResult.Requeue(Duration.ofSeconds(1), "scheduler stopping");
        }
        try {
            if (fenced.getAsBoolean()) {
                // Others may think this replica dead by now and take the task: make no pod for it.
                return new LaunchResult.Requeue(
                        Duration.ofSeconds(5), "replica fenced: its heartbeats do not reach the store");
            }
            return launcher.launch(a.task);
        } catch (RuntimeException e) {
            log.error("launching task {} failed unexpectedly; it goes back to the queue", a.id, e);
            return new LaunchResult.Requeue(Duration.ofSeconds(5), "launch error: " + e);
        } finally {
            slots.release();
        }
    }

    /**
     * Lets the creates in flight answer for a while, then cuts them short: a task whose answer is
     * lost is resumed later by its heir or a restart (its pod found and adopted, or made: 409 = ours).
     */
    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.shutdownNow();
    }
}
