package dev.drover.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a graceful stop: the given action runs first, then the process
 * exits with 128 + the signal's number, as a shell expects. Shutdown hooks are too late for work that
 * writes to the store: an embedded H2 database closes itself in its own hook, in no order with ours.
 */
public final class StopSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private StopSignals() {}

    /** Until {@link #close()}: on SIGINT or SIGTERM, runs {@code onStop} (once), then exits. */
    public static StopSignals onStop(Runnable onStop) {
        StopSignals s = new StopSignals();
        AtomicBoolean stopping = s.stopping;
        for (String name : List.of("INT", "TERM")) {
            Signal signal = new Signal(name);
            s.signals.add(signal);
            s.previous.add(Signal.handle(signal, sig -> {
                if (stopping.compareAndSet(false, true)) {
                    // Off the signal thread: the action may take a while (a cancel carried out).
                    Thread.ofPlatform().name("drover-stop").start(() -> {
                        try {
                            onStop.run();
                        } finally {
                            System.exit(128 + sig.getNumber());
                        }
                    });
                }
            }));
        }
        return s;
    }

    /**
     * After a signal, the command must not end on its own (with its own exit code) while the stop
     * runs: this waits for the exit the stop makes. Returns at once when no signal came.
     */
    public void awaitStopIfStopping() {
        while (stopping.get()) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Puts back what handled the signals before. */
    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
