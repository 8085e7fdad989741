package dev.drover.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The executor run's in-flight meter: every 100 ms the tasks Drover holds in flight (its maximum
 * tells whether launches waited for slots), every second a row of the timeline.
 */
final class InFlightSampler implements AutoCloseable {
    /** Makes the timeline's row at {@code t} seconds into the run. */
    interface Row {
        ExecutorReport.Sample at(double t, int inFlight);
    }

    private final List<ExecutorReport.Sample> timeline = new ArrayList<>();
    private volatile int maxInFlight;
    private final Thread thread;

    InFlightSampler(IntSupplier inFlight, Row row) {
        long t0 = System.nanoTime();
        thread = Thread.ofPlatform().daemon().name("bench-sampler").start(() -> {
            long nextSample = t0;
            while (!Thread.currentThread().isInterrupted()) {
                int now = inFlight.getAsInt();
                maxInFlight = Math.max(maxInFlight, now);
                long at = System.nanoTime();
                if (at >= nextSample) {
                    synchronized (timeline) {
                        timeline.add(row.at(Math.round((at - t0) / 1e8) / 10.0, now));
                    }
                    nextSample += 1_000_000_000L;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    int maxInFlight() {
        return maxInFlight;
    }

    List<ExecutorReport.Sample> timeline() {
        synchronized (timeline) {
            return List.copyOf(timeline);
        }
    }

    /** Stops sampling (waits up to 2 s for the thread). */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(2000);
    }
}
