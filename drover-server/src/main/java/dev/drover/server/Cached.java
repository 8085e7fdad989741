package dev.drover.server;

import java.time.Duration;
import java.util.function.Supplier;

/** A value read at most once per {@code maxAge}, for answers many callers ask for at once. */
final class Cached<T> {
    private final long maxAgeNanos;
    private final Supplier<T> read;
    private T value;
    private long readAt;

    Cached(Duration maxAge, Supplier<T> read) {
        this.maxAgeNanos = maxAge.toNanos();
        this.read = read;
    }

    synchronized T get() {
        long now = System.nanoTime();
        if (value == null || now - readAt > maxAgeNanos) {
            value = read.get();
            readAt = now;
        }
        return value;
    }
}
