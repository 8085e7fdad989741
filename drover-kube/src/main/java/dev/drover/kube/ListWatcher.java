package dev.drover.kube;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and watches one scope (a namespace, or all) and feeds a {@link Sink}. Nothing else: the
 * store, diffing and listeners live in {@link Informer}.
 *
 * <p>An explicit state machine (after kube-rs's watcher): {@link #step} maps a {@link State} to
 * the next one, doing the I/O of that state. Every 410, bookmark, page and fallback case is a
 * visible transition.
 */
final class ListWatcher<T extends KubeObject> {
    private static final Logger log = LoggerFactory.getLogger(ListWatcher.class);

    /** Where the engine stands. */
    sealed interface State {}

    /** A list is needed (first, after 410, after an expired continue token). */
    record Listing(RelistCause cause) implements State {}

    /** Watch from {@code resourceVersion}; {@code open} is a watch already opened by the lister. */
    record Watching(String resourceVersion, WatchStream<?> open) implements State {}

    /** Watching is forbidden: list cheaply every interval instead. */
    record Polling(String resourceVersion) implements State {}

    /** Wait, then go on with {@code then}. */
    record BackingOff(Duration delay, State then) implements State {}

    /** Receives what the watcher learns, in order. */
    interface Sink<T> {
        /** A complete picture of the scope as of {@code resourceVersion}. */
        void replace(List<T> items, String resourceVersion, RelistCause cause);

        void apply(T object);

        void delete(T object);
    }

    private final KubeApi api;
    private final ListWatchSpec<T> spec;
    private final String namespace;
    private final StreamDecoder<T> decoder;
    private final Sink<T> sink;
    private final WatchCounters counters;
    private final Backoff backoff;
    private volatile boolean stopped;
    private volatile WatchStream<T> current;
    private boolean listedOnce;
    private boolean streamingUnsupported;

    ListWatcher(KubeApi api, ListWatchSpec<T> spec, String namespace, Sink<T> sink, WatchCounters counters) {
        this.api = api;
        this.spec = spec;
        this.namespace = namespace;
        this.decoder = new StreamDecoder<>(spec.projection());
        this.sink = sink;
        this.counters = counters;
        this.backoff = new Backoff(spec.backoffInitial(), spec.backoffMax(), Duration.ofMinutes(2));
    }

    State initialState() {
        return new Listing(RelistCause.INITIAL);
    }

    /** Runs the machine until {@link #stop()}. */
    void run() {
        State s = initialState();
        while (!stopped) {
            s = step(s);
        }
    }

    void stop() {
        stopped = true;
        WatchStream<T> w = current;
        if (w != null) {
            w.close();
        }
    }

    State step(State state) {
        try {
            return switch (state) {
                case Listing l -> list(l.cause());
                case Watching w -> watch(w);
                case Polling p -> poll(p);
                case BackingOff b -> {
                    Thread.sleep(b.delay());
                    yield b.then();
                }
            };
        } catch (ApiException e) {
            if (stopped) {
                return state;
            }
            Duration delay = e.retryAfter().orElseGet(backoff::next);
            log.warn(
                    "{} {}: {}; retrying in {} ms",
                    spec.resource().plural(),
                    scope(),
                    e.getMessage(),
                    delay.toMillis());
            return new BackingOff(delay, state instanceof BackingOff b ? b.then() : state);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return state;
        }
    }

    // --- Listing ---

    private State list(RelistCause cause) throws InterruptedException {
        boolean first = !listedOnce;
        if (first && spec.initialList() == InitialList.STREAMING && !streamingUnsupported) {
            State streamed = streamingList();
            if (streamed != null) {
                return streamed;
            }
        }
        Map<String, String> q = baseQuery();
        State next;
        if (!first && spec.relistReads() == RelistReads.NOT_OLDER_THAN_LAST_KNOWN) {
            next = listNotOlderThan(cause, q, lastKnown);
        } else if (first && spec.initialList() == InitialList.LIST_THEN_WATCH) {
            next = listNotOlderThan(cause, q, "0");
        } else {
            boolean watchEarly = spec.initialList() == InitialList.WATCH_AFTER_FIRST_PAGE
                    || spec.initialList() == InitialList.STREAMING;
            next = paginated(cause, q, watchEarly);
        }
        listedOnce = true;
        return next;
    }

    private String lastKnown = "0";

    private State listNotOlderThan(RelistCause cause, Map<String, String> q, String rv) {
        q.put("resourceVersion", rv == null || rv.isEmpty() ? "0" : rv);
        if (!"0".equals(q.get("resourceVersion"))) {
            q.put("resourceVersionMatch", "NotOlderThan");
        }
        ListPage<T> page = api.get("list", path(), q, decoder::readList);
        return delivered(page.items(), page.resourceVersion(), cause, null);
    }

    private State paginated(RelistCause cause, Map<String, String> q, boolean watchEarly) throws InterruptedException {
        q.put("limit", Integer.toString(spec.pageSize()));
        ListPage<T> page = api.get("list", path(), q, decoder::readList);
        String listRv = page.resourceVersion();
        List<T> items = new ArrayList<>(page.items());
        WatchStream<T> early = null;
        int pages = 1;
        try {
            if (page.hasMore() && watchEarly) {
                // The watch starts from the first page's snapshot; its events wait in the stream's queue.
                early = openWatch(listRv);
            }
            spec.afterPage().accept(pages);
            while (page.hasMore()) {
                Map<String, String> next = baseQuery();
                next.put("limit", Integer.toString(spec.pageSize()));
                next.put("continue", page.continueToken());
                try {
                    page = api.get("list", path(), next, decoder::readList);
                } catch (ApiException e) {
                    if (e.isGone()) {
                        log.info(
                                "{} {}: continue token expired mid-list; listing again",
                                spec.resource().plural(),
                                scope());
                        counters.gone();
                        if (early != null) {
                            early.close();
                        }
                        return new Listing(RelistCause.EXPIRED_CONTINUE);
                    }
                    throw e;
                }
                items.addAll(page.items());
                spec.afterPage().accept(++pages);
            }
        } catch (RuntimeException e) {
            if (early != null) {
                early.close();
            }
            throw e;
        }
        return delivered(items, listRv, cause, early);
    }

    private State delivered(List<T> items, String rv, RelistCause cause, WatchStream<T> early) {
        counters.listed(cause);
        sink.replace(items, rv, cause);
        lastKnown = rv;
        return new Watching(rv, early);
    }

    /** Null when the server cannot stream lists; then the caller falls back. */
    private State streamingList() throws InterruptedException {
        Map<String, String> q = baseQuery();
        q.put("watch", "true");
        q.put("sendInitialEvents", "true");
        q.put("resourceVersionMatch", "NotOlderThan");
        q.put("allowWatchBookmarks", "true");
        q.put("timeoutSeconds", Long.toString(watchTimeout().toSeconds()));
        WatchStream<T> stream;
        try {
            stream = WatchStream.open(
                    api.openStream("watch", path(), q), decoder, spec.resource().plural());
        } catch (ApiException e) {
            if (e.code() == 400 || e.code() == 422 || e.code() == 403) {
                return streamingFallback("the server rejected it: " + e.getMessage());
            }
            throw e;
        }
        current = stream;
        List<T> items = new ArrayList<>();
        long deadline = System.nanoTime() + spec.streamingDetectTimeout().toNanos();
        while (!stopped) {
            WatchEvent<T> e = stream.poll(Duration.ofMillis(200));
            if (e == null) {
                if (System.nanoTime() > deadline) {
                    stream.close();
                    return streamingFallback("no " + StreamDecoder.INITIAL_EVENTS_END + " bookmark within "
                            + spec.streamingDetectTimeout().toMillis() + " ms");
                }
                continue;
            }
            switch (e) {
                case WatchEvent.Added<T> a -> items.add(a.object());
                case WatchEvent.Bookmark<T> b
                when b.initialEventsEnd() -> {
                    listedOnce = true;
                    counters.listed(RelistCause.INITIAL);
                    sink.replace(items, b.resourceVersion(), RelistCause.INITIAL);
                    lastKnown = b.resourceVersion();
                    return new Watching(b.resourceVersion(), stream);
                }
                default -> {
                    stream.close();
                    return streamingFallback("the stream sent " + e.getClass().getSimpleName() + " before any "
                            + StreamDecoder.INITIAL_EVENTS_END + " bookmark");
                }
            }
        }
        stream.close();
        return new Listing(RelistCause.INITIAL);
    }

    private State streamingFallback(String why) {
        log.info(
                "{} {}: no streaming list ({}); falling back to watch-after-first-page",
                spec.resource().plural(),
                scope(),
                why);
        streamingUnsupported = true;
        counters.streamingFellBack();
        return null;
    }

    // --- Watching ---

    @SuppressWarnings("unchecked")
    private State watch(Watching w) throws InterruptedException {
        WatchStream<T> stream = (WatchStream<T>) w.open();
        String rv = w.resourceVersion();
        if (stream == null) {
            try {
                stream = openWatch(rv);
            } catch (ApiException e) {
                if (e.isGone()) {
                    counters.gone();
                    return new Listing(RelistCause.GONE);
                }
                if (e.isForbidden() && spec.pollInterval() != null) {
                    log.warn(
                            "{} {}: watching is forbidden ({}); polling every {} ms with cheap lists instead",
                            spec.resource().plural(),
                            scope(),
                            e.getMessage(),
                            spec.pollInterval().toMillis());
                    return new Polling(rv);
                }
                throw e;
            }
        }
        current = stream;
        try {
            while (!stopped) {
                WatchEvent<T> e = stream.poll(Duration.ofSeconds(1));
                if (e == null) {
                    continue;
                }
                switch (e) {
                    case WatchEvent.Added<T> a -> {
                        sink.apply(a.object());
                        rv = a.object().resourceVersion();
                        counters.applied();
                    }
                    case WatchEvent.Modified<T> m -> {
                        sink.apply(m.object());
                        rv = m.object().resourceVersion();
                        counters.applied();
                    }
                    case WatchEvent.Deleted<T> d -> {
                        sink.delete(d.object());
                        rv = d.object().resourceVersion();
                        counters.applied();
                    }
                    case WatchEvent.Bookmark<T> b -> {
                        rv = b.resourceVersion();
                        counters.bookmark();
                    }
                    case WatchEvent.Error<T> err -> {
                        if (err.error().isGone()) {
                            counters.gone();
                            return new Listing(RelistCause.GONE);
                        }
                        lastKnown = rv;
                        return new BackingOff(backoff.next(), new Watching(rv, null));
                    }
                    case WatchEvent.End<T> end -> {
                        lastKnown = rv;
                        counters.watchRestarted();
                        if (end.cause() != null && !stopped) {
                            log.debug(
                                    "{} {}: watch dropped ({}); resuming from {}",
                                    spec.resource().plural(),
                                    scope(),
                                    end.cause().toString(),
                                    rv);
                            return new BackingOff(backoff.next(), new Watching(rv, null));
                        }
                        return new Watching(rv, null); // the server's timeout: resume at once
                    }
                }
                lastKnown = rv;
            }
            return w;
        } finally {
            stream.close();
            current = null;
        }
    }

    private WatchStream<T> openWatch(String rv) {
        Map<String, String> q = baseQuery();
        q.put("watch", "true");
        q.put("resourceVersion", rv);
        q.put("allowWatchBookmarks", "true");
        q.put("timeoutSeconds", Long.toString(watchTimeout().toSeconds()));
        InputStream body = api.openStream("watch", path(), q);
        WatchStream<T> s = WatchStream.open(body, decoder, spec.resource().plural());
        current = s;
        if (stopped) {
            s.close(); // stop() ran while the request was in flight and could not see this stream
        }
        return s;
    }

    // --- Polling (watch forbidden) ---

    private State poll(Polling p) throws InterruptedException {
        Thread.sleep(spec.pollInterval());
        Map<String, String> q = baseQuery();
        q.put("resourceVersion", p.resourceVersion() == null ? "0" : p.resourceVersion());
        if (!"0".equals(q.get("resourceVersion"))) {
            q.put("resourceVersionMatch", "NotOlderThan");
        }
        ListPage<T> page = api.get("list", path(), q, decoder::readList);
        counters.listed(RelistCause.POLL);
        sink.replace(page.items(), page.resourceVersion(), RelistCause.POLL);
        lastKnown = page.resourceVersion();
        return new Polling(page.resourceVersion());
    }

    // --- helpers ---

    private Duration watchTimeout() {
        long min = spec.watchTimeoutMin().toSeconds();
        long max = spec.watchTimeoutMax().toSeconds();
        // Randomized so that many watchers do not all reconnect in the same second.
        return Duration.ofSeconds(min >= max ? min : ThreadLocalRandom.current().nextLong(min, max + 1));
    }

    private Map<String, String> baseQuery() {
        Map<String, String> q = new LinkedHashMap<>();
        if (spec.labelSelector() != null) {
            q.put("labelSelector", spec.labelSelector());
        }
        if (spec.fieldSelector() != null) {
            q.put("fieldSelector", spec.fieldSelector());
        }
        return q;
    }

    private String path() {
        return spec.resource().path(namespace);
    }

    private String scope() {
        return namespace == null ? "(all namespaces)" : "in " + namespace;
    }
}
