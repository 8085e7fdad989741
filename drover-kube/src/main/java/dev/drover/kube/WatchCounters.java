package dev.drover.kube;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the engine did, for metrics: relists by cause, 410s, watch restarts, events applied. */
public final class WatchCounters {
    private final Map<RelistCause, LongAdder> relists = new EnumMap<>(RelistCause.class);
    private final LongAdder gone = new LongAdder();
    private final LongAdder watchRestarts = new LongAdder();
    private final LongAdder eventsApplied = new LongAdder();
    private final LongAdder bookmarks = new LongAdder();
    private final LongAdder streamingFallbacks = new LongAdder();
    private final AtomicLong lastEventNanos = new AtomicLong(System.nanoTime());

    WatchCounters() {
        for (RelistCause c : RelistCause.values()) {
            relists.put(c, new LongAdder());
        }
    }

    void listed(RelistCause cause) {
        relists.get(cause).increment();
    }

    void gone() {
        gone.increment();
    }

    void watchRestarted() {
        watchRestarts.increment();
    }

    void applied() {
        eventsApplied.increment();
        lastEventNanos.set(System.nanoTime());
    }

    void bookmark() {
        bookmarks.increment();
        lastEventNanos.set(System.nanoTime());
    }

    void streamingFellBack() {
        streamingFallbacks.increment();
    }

    public long lists(RelistCause cause) {
        return relists.get(cause).sum();
    }

    /** Lists after the initial one. */
    public long relists() {
        return relists.entrySet().stream()
                .filter(e -> e.getKey() != RelistCause.INITIAL)
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    public long gone410() {
        return gone.sum();
    }

    public long watchRestarts() {
        return watchRestarts.sum();
    }

    public long eventsApplied() {
        return eventsApplied.sum();
    }

    public long bookmarks() {
        return bookmarks.sum();
    }

    public long streamingFallbacks() {
        return streamingFallbacks.sum();
    }

    public Duration sinceLastEvent() {
        return Duration.ofNanos(System.nanoTime() - lastEventNanos.get());
    }
}
