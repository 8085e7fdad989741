package dev.drover.kube;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One list+watch stream per namespace (or one for all namespaces) feeding one indexed {@link
 * Store} and one {@link DeltaListener}. The stream keeps its resourceVersion across watch
 * timeouts and dropped connections, asks for bookmarks, and answers 410 Gone with a scoped relist
 * whose difference to the store reaches the listener as ordinary deltas.
 *
 * <pre>{@code
 * Informer<PodView> pods = Informer.pods(api)
 *         .namespaces("team-a", "team-b")
 *         .labelSelector("owner=me,done!=true")
 *         .listener(delta -> ...)
 *         .build()
 *         .start();
 * pods.awaitSynced(Duration.ofSeconds(30));
 * }</pre>
 */
public final class Informer<T extends KubeObject> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Informer.class);

    private final KubeApi api;
    private final ListWatchSpec<T> spec;
    private final List<@Nullable String> namespaces; // a single null = all namespaces
    private final Store<T> store;
    private final @Nullable DeltaListener<T> listener;
    private final WatchCounters counters;
    private final CountDownLatch synced;
    private final List<ListWatcher<T>> watchers = new CopyOnWriteArrayList<>(); // status() reads it from any thread
    private final List<Thread> threads = new ArrayList<>();

    private Informer(Builder<T> b) {
        this.api = b.api;
        this.counters = new WatchCounters(b.api.metrics().watch(b.resource));
        this.spec = new ListWatchSpec<>(
                b.resource,
                b.projection,
                b.labelSelector,
                b.fieldSelector,
                b.initialList,
                b.relistReads,
                b.pageSize,
                b.watchTimeoutMin,
                b.watchTimeoutMax,
                b.pollInterval,
                b.streamingDetectTimeout,
                b.backoffInitial,
                b.backoffMax,
                b.silentAfter,
                b.afterPage);
        List<@Nullable String> ns = new ArrayList<>(b.namespaces);
        if (ns.isEmpty()) {
            ns.add(null);
        }
        this.namespaces = ns;
        this.store = new Store<>(b.key, b.indexers);
        this.listener = b.listener;
        this.synced = new CountDownLatch(namespaces.size());
    }

    public static <T extends KubeObject> Builder<T> builder(
            KubeApi api, ResourceType resource, Projection<T> projection) {
        return new Builder<>(api, resource, projection);
    }

    /** Pods, keyed by namespace/name. */
    public static Builder<PodView> pods(KubeApi api) {
        return builder(api, ResourceType.PODS, PodView.PROJECTION);
    }

    /**
     * Events: keyed by uid (a repeated event is an update of the same one), relisted with the last
     * known resourceVersion and NotOlderThan, polled the same cheap way when watching is forbidden.
     */
    public static Builder<EventView> events(KubeApi api) {
        return builder(api, ResourceType.EVENTS, EventView.PROJECTION)
                .key(EventView::uid)
                .relistReads(RelistReads.NOT_OLDER_THAN_LAST_KNOWN)
                .initialList(InitialList.LIST_THEN_WATCH)
                .pollOnForbidden(Duration.ofSeconds(10));
    }

    /** Starts one watch thread per namespace. */
    public Informer<T> start() {
        ListWatcher.Api seam = ListWatcher.Api.of(api);
        for (String ns : namespaces) {
            ListWatcher<T> w = new ListWatcher<>(
                    seam, spec, ns, new ScopeSink(ns), counters, ListWatcher.Ticker.SYSTEM, Duration.ofSeconds(1));
            watchers.add(w);
            // Platform threads: a virtual one could wait behind CPU-bound virtual threads of the
            // application (they are not time-sliced), and these carry every change.
            threads.add(Thread.ofPlatform()
                    .daemon()
                    .name("informer-" + spec.resource().plural() + "-" + (ns == null ? "all" : ns))
                    .start(w::run));
        }
        return this;
    }

    /** Waits until every namespace has been listed once; false on timeout. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * How the informer stands, without blocking: whether every namespace has been listed, the last
     * failure any of them met, and since when the apiserver has not answered (if it does not now).
     * A caller can report e.g. "pods in ns-b not listed yet: 403 Forbidden: …" instead of waiting.
     */
    public Status status() {
        Status.Failure last = null;
        Instant silent = null;
        for (ListWatcher<T> w : watchers) {
            Status.Failure f = w.lastError();
            if (f != null && (last == null || f.at().isAfter(last.at()))) {
                last = f;
            }
            Instant s = w.silentSince();
            if (s != null && (silent == null || s.isBefore(silent))) {
                silent = s;
            }
        }
        return new Status(synced.getCount() == 0, last, silent);
    }

    /** The objects as last seen, readable from any thread. */
    public Store<T> store() {
        return store;
    }

    public WatchCounters counters() {
        return counters;
    }

    /**
     * A snapshot of an informer's health.
     *
     * @param synced every namespace has been listed at least once
     * @param lastError the most recent failure of any namespace (kept after it recovers; see its
     *     time), null if none yet
     * @param silentSince since when the apiserver has not answered a quiet watch, not even a probe;
     *     null while it answers
     */
    public record Status(
            boolean synced,
            @Nullable Failure lastError,
            @Nullable Instant silentSince) {
        /**
         * One failure: a request the apiserver refused or never answered, or a bug met while
         * decoding or storing.
         *
         * @param namespace the namespace whose stream met it; null for an all-namespaces stream
         * @param message e.g. {@code 403 Forbidden: pods is forbidden: User "…" cannot list …}
         */
        public record Failure(@Nullable String namespace, String message, Instant at) {}
    }

    @Override
    public void close() {
        watchers.forEach(ListWatcher::stop);
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Applies one namespace's findings to the shared store and tells the listener, serialized. */
    private final class ScopeSink implements ListWatcher.Sink<T> {
        private final @Nullable String namespace;
        private boolean syncedOnce;

        ScopeSink(@Nullable String namespace) {
            this.namespace = namespace;
        }

        @Override
        public void replace(List<T> items, String resourceVersion, RelistCause cause) {
            synchronized (Informer.this) {
                Map<String, T> before = new HashMap<>();
                for (T o : store.list()) {
                    if (namespace == null || namespace.equals(o.namespace())) {
                        before.put(store.keyOf(o), o);
                    }
                }
                for (T o : items) {
                    String key = store.keyOf(o);
                    T old = before.remove(key);
                    if (old == null) {
                        store.put(o);
                        emit(new Delta.Added<>(o));
                    } else if (!Objects.equals(old.resourceVersion(), o.resourceVersion())) {
                        store.put(o);
                        emit(new Delta.Modified<>(old, o));
                    }
                }
                for (Map.Entry<String, T> gone : before.entrySet()) {
                    store.remove(gone.getKey());
                    emit(new Delta.Deleted<>(gone.getValue()));
                }
                emit(new Delta.Synced<>(namespace, resourceVersion, cause, store.size()));
            }
            if (!syncedOnce) {
                syncedOnce = true;
                synced.countDown();
            }
        }

        @Override
        public void apply(T object) {
            synchronized (Informer.this) {
                T old = store.put(object);
                if (old == null) {
                    counters.applied("added");
                    emit(new Delta.Added<>(object));
                } else if (!Objects.equals(old.resourceVersion(), object.resourceVersion())) {
                    counters.applied("modified");
                    emit(new Delta.Modified<>(old, object));
                } else {
                    counters.applied("unchanged");
                }
            }
        }

        @Override
        public void delete(T object) {
            synchronized (Informer.this) {
                T old = store.remove(store.keyOf(object));
                if (old != null) {
                    counters.applied("deleted");
                    emit(new Delta.Deleted<>(object));
                } else {
                    counters.applied("unchanged");
                }
            }
        }

        private void emit(Delta<T> d) {
            DeltaListener<T> l = listener;
            if (l == null) {
                return;
            }
            try {
                l.onDelta(d);
            } catch (RuntimeException e) {
                log.error(
                        "delta listener failed on {}; the stream goes on",
                        d.getClass().getSimpleName(),
                        e);
            }
        }
    }

    /**
     * Defaults suit most users: all namespaces, list-then-watch, pages of 500, 5–10 min watches, a
     * watch quiet for 30 s checks that the server still answers.
     */
    public static final class Builder<T extends KubeObject> {
        private final KubeApi api;
        private final ResourceType resource;
        private final Projection<T> projection;
        private final List<String> namespaces = new ArrayList<>();
        private @Nullable String labelSelector;
        private @Nullable String fieldSelector;
        private InitialList initialList = InitialList.LIST_THEN_WATCH;
        private RelistReads relistReads = RelistReads.CONSISTENT;
        private int pageSize = 500;
        private Duration watchTimeoutMin = Duration.ofMinutes(5);
        private Duration watchTimeoutMax = Duration.ofMinutes(10);
        private @Nullable Duration pollInterval;
        private Duration streamingDetectTimeout = Duration.ofSeconds(10);
        private Duration backoffInitial = Duration.ofMillis(800);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration silentAfter = Duration.ofSeconds(30);
        private Function<T, String> key = Store::namespacedKey;
        private final Map<String, Function<T, @Nullable String>> indexers = new LinkedHashMap<>();
        private @Nullable DeltaListener<T> listener;
        private IntConsumer afterPage = page -> {};

        private Builder(KubeApi api, ResourceType resource, Projection<T> projection) {
            this.api = Objects.requireNonNull(api, "api");
            this.resource = Objects.requireNonNull(resource, "resource");
            this.projection = Objects.requireNonNull(projection, "projection");
        }

        /** Watch these namespaces, one stream each. None given: all namespaces in one stream. */
        public Builder<T> namespaces(String... names) {
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException(
                            "namespaces: a namespace name is empty; leave namespaces unset for all");
                }
                namespaces.add(n);
            }
            return this;
        }

        public Builder<T> namespaces(List<String> names) {
            return namespaces(names.toArray(String[]::new));
        }

        /**
         * Equality and set-based: {@code a=b,c!=d,e in (x,y),f notin (z),g,!h}. Checked here; null
         * or blank selects everything.
         */
        public Builder<T> labelSelector(@Nullable String selector) {
            String parsed = LabelSelector.parse(selector).toString();
            this.labelSelector = parsed.isEmpty() ? null : parsed;
            return this;
        }

        /** e.g. {@code status.phase!=Succeeded}; checked by the server; null or blank selects everything. */
        public Builder<T> fieldSelector(@Nullable String selector) {
            this.fieldSelector = selector == null || selector.isBlank() ? null : selector.trim();
            return this;
        }

        public Builder<T> initialList(InitialList strategy) {
            this.initialList = Objects.requireNonNull(strategy);
            return this;
        }

        public Builder<T> relistReads(RelistReads reads) {
            this.relistReads = Objects.requireNonNull(reads);
            return this;
        }

        public Builder<T> pageSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1 (got " + size + ")");
            }
            this.pageSize = size;
            return this;
        }

        /** Each watch asks the server to end it after a random time in [min, max]. */
        public Builder<T> watchTimeout(Duration min, Duration max) {
            if (min.toSeconds() < 1 || max.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "watchTimeout: need 1 s <= min <= max (got " + min + ", " + max + ")");
            }
            this.watchTimeoutMin = min;
            this.watchTimeoutMax = max;
            return this;
        }

        /** When the watch verb is forbidden (403), list this often instead (null: keep retrying the watch). */
        public Builder<T> pollOnForbidden(@Nullable Duration interval) {
            if (interval != null && interval.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "pollOnForbidden: the interval must be positive (got " + interval + ")");
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * A watch that hears nothing for this long (default 30 s) checks that the apiserver still
         * answers: first whether it answered any other request of the {@link KubeApi} meanwhile,
         * else with a cheap probe ({@code GET /version}). If not even that is answered, the informer
         * logs one warning, counts a silence ({@link WatchCounters#silences()}), reports it in
         * {@link #status()}, closes the stream and resumes it from its resourceVersion (no relist)
         * once the server answers again. A watch cache sends bookmarks about once a minute, but
         * only when its resource changed somewhere; without one a calm namespace is fully quiet, so
         * this costs at most one probe per {@code silentAfter} per KubeApi.
         */
        public Builder<T> silentAfter(Duration quiet) {
            if (quiet.toMillis() < 100) {
                throw new IllegalArgumentException("silentAfter must be at least 100 ms (got " + quiet + ")");
            }
            this.silentAfter = quiet;
            return this;
        }

        /** How long a streaming list may go without its initial-events-end bookmark before falling back. */
        public Builder<T> streamingDetectTimeout(Duration timeout) {
            this.streamingDetectTimeout = timeout;
            return this;
        }

        /** Failed requests are retried after a delay from {@code initial} doubling to {@code max}, with jitter. */
        public Builder<T> backoff(Duration initial, Duration max) {
            if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "backoff: need 1 ms <= initial <= max (got " + initial + ", " + max + ")");
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** The store key (default namespace/name). */
        public Builder<T> key(Function<T, String> key) {
            this.key = Objects.requireNonNull(key);
            return this;
        }

        /** A secondary index readable with {@link Store#byIndex}; objects whose value is null are not indexed. */
        public Builder<T> index(String name, Function<T, @Nullable String> valueOf) {
            indexers.put(name, valueOf);
            return this;
        }

        /** Gets every delta, in order, on the watch thread. */
        public Builder<T> listener(@Nullable DeltaListener<T> listener) {
            this.listener = listener;
            return this;
        }

        /** Test hook: runs after each list page arrives (page number from 1), before the next is asked for. */
        Builder<T> afterPage(IntConsumer hook) {
            this.afterPage = hook;
            return this;
        }

        public Informer<T> build() {
            return new Informer<>(this);
        }
    }
}
