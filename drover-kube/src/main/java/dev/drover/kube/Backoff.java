package dev.drover.kube;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter (≈800 ms doubling to 30 s), reset after a healthy period. */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private Duration current;
    private long lastFailureNanos;

    Backoff(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
        this.current = initial;
    }

    /** The delay before the next try. */
    synchronized Duration next() {
        long now = System.nanoTime();
        if (lastFailureNanos != 0 && now - lastFailureNanos > resetAfter.toNanos()) {
            current = initial; // it had been healthy for a while: start small again
        }
        lastFailureNanos = now;
        Duration base = current;
        current = current.multipliedBy(2).compareTo(max) > 0 ? max : current.multipliedBy(2);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis((long) (base.toMillis() * jitter));
    }
}
