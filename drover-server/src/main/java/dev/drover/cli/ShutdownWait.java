package dev.drover.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for a command that runs until stopped: the JVM's shutdown hook tells the
 * command to stop and then waits (up to a bound) until the command has closed what it started —
 * without the wait the JVM halts as soon as the hook returns, halfway through the close.
 *
 * <pre>{@code
 * ShutdownWait stop = ShutdownWait.install(Duration.ofSeconds(30));
 * try (Thing t = start()) {
 *     while (!stop.awaitStop(Duration.ofSeconds(10))) { report(t); }
 * } finally {
 *     stop.closed();
 * }
 * }</pre>
 */
public final class ShutdownWait {
    private final CountDownLatch stopAsked = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    private ShutdownWait(Duration maxClose) {
        hook = new Thread(
                () -> {
                    stopAsked.countDown();
                    try {
                        closed.await(maxClose.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "drover-shutdown");
    }

    /** Registers the hook; on a signal the JVM waits up to {@code maxClose} for {@link #closed()}. */
    public static ShutdownWait install(Duration maxClose) {
        ShutdownWait w = new ShutdownWait(maxClose);
        Runtime.getRuntime().addShutdownHook(w.hook);
        return w;
    }

    /** Waits up to {@code d} for a stop signal; true once one came. */
    public boolean awaitStop(Duration d) throws InterruptedException {
        return stopAsked.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The command has closed everything: a shutdown under way may finish; otherwise the hook goes. */
    public void closed() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) and now returns
        }
    }
}
