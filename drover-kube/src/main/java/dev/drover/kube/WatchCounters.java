package dev.drover.kube;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the engine did, for metrics: lists by cause, 410s, watch restarts, bookmarks, failures,
 * silences. One per {@link Informer}, summed over its namespaces.
 */
public final class WatchCounters {
    private final Map<RelistCause, LongAdder> lists = new EnumMap<>(RelistCause.class);
    private final LongAdder gone = new LongAdder();
    private final LongAdder watchRestarts = new LongAdder();
    private final LongAdder bookmarks = new LongAdder();
    private final LongAdder streamingFallbacks = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder silences = new LongAdder();
    private final LongAdder overdueWatches = new LongAdder();
    /** The same news for the application's meter registry (no-ops without one). */
    private final KubeMetrics.Watch meters;

    WatchCounters() {
        this(KubeMetrics.none().watch(ResourceType.PODS));
    }

    WatchCounters(KubeMetrics.Watch meters) {
        this.meters = meters;
        for (RelistCause c : RelistCause.values()) {
            lists.put(c, new LongAdder());
        }
    }

    void listed(RelistCause cause) {
        lists.get(cause).increment();
        meters.listed(cause);
    }

    void gone() {
        gone.increment();
        meters.gone();
    }

    void watchRestarted() {
        watchRestarts.increment();
    }

    void bookmark() {
        bookmarks.increment();
    }

    void streamingFellBack() {
        streamingFallbacks.increment();
    }

    void failed() {
        failures.increment();
        meters.bug();
    }

    /** A list or watch the apiserver answered with an error (retried after a backoff). */
    void apiError() {
        meters.apiError();
    }

    /** A watch event applied to the store (see {@link KubeMetrics.Watch#applied}). */
    void applied(String type) {
        meters.applied(type);
    }

    void silence() {
        silences.increment();
    }

    void overdueWatch() {
        overdueWatches.increment();
    }

    /** Lists done for {@code cause}. */
    public long lists(RelistCause cause) {
        return lists.get(cause).sum();
    }

    /** Lists after the initial one. */
    public long relists() {
        return lists.entrySet().stream()
                .filter(e -> e.getKey() != RelistCause.INITIAL)
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    /** 410 Gone answers: on a watch's open, as an ERROR event, or for a continue token. */
    public long gone410() {
        return gone.sum();
    }

    /** Watches that ended (server timeout or dropped connection) and were resumed. */
    public long watchRestarts() {
        return watchRestarts.sum();
    }

    public long bookmarks() {
        return bookmarks.sum();
    }

    /** Streaming lists the server could not do, so the first list went page by page. */
    public long streamingFallbacks() {
        return streamingFallbacks.sum();
    }

    /**
     * Unexpected failures (a projection or an index function that threw, a watch that could not be
     * decoded): each was logged with its cause and retried after a backoff.
     */
    public long failures() {
        return failures.sum();
    }

    /** Times a watch went quiet and the apiserver answered nothing, not even a probe. */
    public long silences() {
        return silences.sum();
    }

    /** Watches that outlived their own timeoutSeconds without ending, and were reopened. */
    public long overdueWatches() {
        return overdueWatches.sum();
    }
}
