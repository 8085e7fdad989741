package dev.drover.sim;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's one thread: every pod state change and timer runs here, so pod state needs no
 * locks and no pod ever needs a thread of its own. Tasks must not block; API calls are async.
 */
final class SimLoop implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimLoop.class);

    private final ScheduledThreadPoolExecutor exec;

    SimLoop(String name) {
        exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        exec.setRemoveOnCancelPolicy(true);
        exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void execute(Runnable task) {
        try {
            exec.execute(guarded(task));
        } catch (RejectedExecutionException closing) {
            log.debug("dropped a task: the simulator is closing");
        }
    }

    /** Runs {@code task} after {@code delay}; null when the simulator is closing. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return exec.schedule(guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return null;
        }
    }

    ScheduledExecutorService scheduler() {
        return exec;
    }

    @Override
    public void close() {
        exec.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("simulator task failed", e);
            }
        };
    }
}
