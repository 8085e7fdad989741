package dev.drover.kube;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and watches one scope (a namespace, or all) and feeds a {@link Sink}. Nothing else: the
 * store, diffing and listeners live in {@link Informer}.
 *
 * <p>An explicit state machine (after kube-rs's watcher): {@link #step} maps a {@link State} to
 * the next one, doing the I/O of that state. Everything the machine knows lives in the states (the
 * resourceVersion to go on from, how the next list reads, the open stream), so every 410, page,
 * bookmark, fallback and silence is a visible transition, and a test can drive {@code step()}
 * through a script of answers ({@code ListWatcherTest}).
 */
final class ListWatcher<T extends KubeObject> {
    private static final Logger log = LoggerFactory.getLogger(ListWatcher.class);

    /** A watch that outlives its own timeoutSeconds by this much without ending is dead. */
    static final Duration OVERDUE_GRACE = Duration.ofSeconds(30);
    /** The longest a probe of a silent server waits, and the longest between two probes. */
    static final Duration PROBE_AT_MOST = Duration.ofSeconds(5);
    /**
     * Watches from one resourceVersion that the apiserver answers 5xx, in a row, before the engine
     * gives that resourceVersion up and relists ({@link RelistCause#SERVER_ERROR}).
     */
    static final int RELIST_AFTER_SERVER_ERRORS = 3;

    // --- the states ---

    /** Where the engine stands; each record holds all it needs to go on. */
    sealed interface State {}

    /** The first list of {@link InitialList#STREAMING}: a watch with {@code sendInitialEvents=true}. */
    record StreamingList() implements State {}

    /** The server cannot stream lists (1.20 cannot): say so once, then list in pages and watch early. */
    record StreamingRefused(String why) implements State {}

    /** A list is needed: why, and how it reads. */
    record Listing(RelistCause cause, ListRead read) implements State {}

    /**
     * A watch from {@code resourceVersion}: to be opened ({@code stream} null), or open and last
     * heard from at {@code heardNanos} (an event, or a probe that found the server answering);
     * the server should end it by {@code endsByNanos} (its timeoutSeconds plus a grace). {@code
     * serverErrors}: how many watches from this resourceVersion in a row the apiserver answered
     * 5xx (on open or as an ERROR event) before anything else.
     */
    record Watching(
            String resourceVersion,
            @Nullable WatchStream<?> stream,
            long heardNanos,
            long endsByNanos,
            int serverErrors)
            implements State {
        /** A watch to (re)open from {@code resourceVersion}: no relist, nothing missed or replayed. */
        static Watching from(String resourceVersion) {
            return new Watching(resourceVersion, null, 0, 0, 0);
        }

        /** The watch delivered something: it works, so earlier server errors no longer count. */
        Watching heard(String rv, long now) {
            return new Watching(rv, stream, now, endsByNanos, 0);
        }

        /** The same resourceVersion to reopen, after one more server error from it. */
        Watching afterServerError() {
            return new Watching(resourceVersion, null, 0, 0, serverErrors + 1);
        }

        /**
         * Whether to give this resourceVersion up for a relist. kube-apiserver 1.20 answers a watch
         * from just before a change that etcd compacted at exactly that change with 500 InternalError
         * ({@code PrevKv=nil}), not 410, and answers it so on every retry: only a relist gets a
         * resourceVersion it can serve. Any 5xx counts, as the engine cannot tell which ones are tied
         * to the resourceVersion; a transient one costs at most one scoped relist.
         */
        boolean givenUp() {
            return serverErrors >= RELIST_AFTER_SERVER_ERRORS;
        }
    }

    /**
     * The watch went quiet and the apiserver answered nothing, not even a probe, since {@code
     * sinceNanos}: probe until it answers, then watch from {@code resourceVersion} again.
     */
    record Silent(String resourceVersion, long sinceNanos) implements State {}

    /** Watching is forbidden (403): list cheaply every interval instead. */
    record Polling(String resourceVersion) implements State {}

    /** Wait, then go on with {@code then}. */
    record BackingOff(Duration delay, State then) implements State {}

    /**
     * Which version of the truth a list asks for: client-go's {@code relistResourceVersion}
     * choices, each named with its reason.
     */
    sealed interface ListRead {
        /** resourceVersion=0: whatever the watch cache holds; no quorum read, the cheapest first list (limit is ignored there). */
        record FromWatchCache() implements ListRead {}

        /**
         * resourceVersion unset, in pages: a consistent read from etcd; after a 410 the cache may lag
         * behind what we had seen. {@code watchAfterFirstPage}: open the watch from the first page's
         * resourceVersion at once, so a long list cannot outlive it.
         */
        record Consistent(boolean watchAfterFirstPage) implements ListRead {}

        /**
         * The last known resourceVersion with NotOlderThan: served from the watch cache, yet never
         * older than what we have seen (Events: no quorum read for a relist, Airflow PR #59080).
         */
        record NotOlderThan(String resourceVersion) implements ListRead {}
    }

    // --- the seams ---

    /**
     * The subset of {@link KubeApi} the watcher uses (declared here, where it is used, as client-go
     * does), so tests drive {@link #step} with scripted answers in milliseconds. {@link #of} is
     * KubeApi's side of it.
     */
    interface Api {
        /** A list: GET {@code path}; the reader decodes the body as it streams in. */
        <R> R list(String path, Map<String, String> query, KubeApi.BodyReader<R> reader);

        /** Opens a watch: GET {@code path} with {@code watch=true}; the caller closes the stream. */
        InputStream watch(String path, Map<String, String> query);

        /** {@link System#nanoTime()} (on the watcher's {@link Ticker}) of the server's last answer to any request. */
        long lastAnswerNanos();

        /** Empty if the server answers a cheap request within {@code timeout} (and then counts as answering), else why not. */
        Optional<String> probe(Duration timeout) throws InterruptedException;

        static Api of(KubeApi api) {
            return new Api() {
                @Override
                public <R> R list(String path, Map<String, String> query, KubeApi.BodyReader<R> reader) {
                    return api.get("list", path, query, reader);
                }

                @Override
                public InputStream watch(String path, Map<String, String> query) {
                    return api.openStream("watch", path, query);
                }

                @Override
                public long lastAnswerNanos() {
                    return api.lastAnswerNanos();
                }

                @Override
                public Optional<String> probe(Duration timeout) throws InterruptedException {
                    return api.probe(timeout);
                }
            };
        }
    }

    /** Time, so tests can move it instead of waiting. */
    interface Ticker {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;

        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d);
            }
        };
    }

    /** Receives what the watcher learns, in order. */
    interface Sink<T> {
        /** A complete picture of the scope as of {@code resourceVersion}. */
        void replace(List<T> items, String resourceVersion, RelistCause cause);

        void apply(T object);

        void delete(T object);
    }

    private final Api api;
    private final ListWatchSpec<T> spec;
    private final @Nullable String namespace;
    private final StreamDecoder<T> decoder;
    private final Sink<T> sink;
    private final WatchCounters counters;
    private final Backoff backoff;
    private final Ticker ticker;
    private final Duration pollWait;
    private volatile boolean stopped;
    private volatile @Nullable WatchStream<T> current;
    // Reports for Informer.status(), read from other threads; the machine never reads them back.
    private volatile Informer.Status.@Nullable Failure lastError;
    private volatile @Nullable Instant silentSince;

    ListWatcher(
            Api api,
            ListWatchSpec<T> spec,
            @Nullable String namespace,
            Sink<T> sink,
            WatchCounters counters,
            Ticker ticker,
            Duration pollWait) {
        this.api = api;
        this.spec = spec;
        this.namespace = namespace;
        this.decoder = new StreamDecoder<>(spec.projection());
        this.sink = sink;
        this.counters = counters;
        this.backoff = new Backoff(spec.backoffInitial(), spec.backoffMax(), Duration.ofMinutes(2));
        this.ticker = ticker;
        this.pollWait = pollWait;
    }

    State initialState() {
        return spec.initialList() == InitialList.STREAMING
                ? new StreamingList()
                : new Listing(RelistCause.INITIAL, firstRead());
    }

    /** The first list's read, as the strategy says. */
    private ListRead firstRead() {
        return switch (spec.initialList()) {
            case LIST_THEN_WATCH -> new ListRead.FromWatchCache();
            case PAGINATED -> new ListRead.Consistent(false);
            case WATCH_AFTER_FIRST_PAGE, STREAMING -> new ListRead.Consistent(true);
        };
    }

    /** A relist (after a 410) reads like this; {@code lastKnown} is the newest resourceVersion seen. */
    private Listing relist(RelistCause cause, String lastKnown) {
        if (spec.relistReads() == RelistReads.NOT_OLDER_THAN_LAST_KNOWN && !lastKnown.isEmpty()) {
            return new Listing(cause, new ListRead.NotOlderThan(lastKnown));
        }
        boolean early =
                spec.initialList() == InitialList.WATCH_AFTER_FIRST_PAGE || spec.initialList() == InitialList.STREAMING;
        return new Listing(cause, new ListRead.Consistent(early));
    }

    /** Runs the machine until {@link #stop()}. */
    void run() {
        State s = initialState();
        try {
            while (!stopped) {
                s = step(s);
            }
        } catch (Error e) {
            log.error("{} {}: the watcher stops: {}", plural(), scope(), e.toString(), e);
            throw e;
        } finally {
            closeStreamOf(s);
        }
    }

    void stop() {
        stopped = true;
        WatchStream<T> w = current;
        if (w != null) {
            w.close();
        }
    }

    /** The last failure this scope met, for {@link Informer#status()}; null if none yet. */
    Informer.Status.@Nullable Failure lastError() {
        return lastError;
    }

    /** Since when the apiserver has not answered this scope's watch; null while it answers. */
    @Nullable
    Instant silentSince() {
        return silentSince;
    }

    State step(State state) {
        try {
            return switch (state) {
                case StreamingList s -> streamingList();
                case StreamingRefused r -> streamingRefused(r);
                case Listing l -> list(l);
                case Watching w when w.stream() == null -> open(w);
                case Watching w -> watch(w);
                case Silent s -> silent(s);
                case Polling p -> poll(p);
                case BackingOff b -> {
                    ticker.sleep(b.delay());
                    yield b.then();
                }
            };
        } catch (ApiException e) {
            if (stopped) {
                return state;
            }
            return backOff(e, retryOf(state));
        } catch (RuntimeException e) {
            // A bug (a projection, an index function): the watcher goes on, and says so loudly.
            if (stopped) {
                return state;
            }
            counters.failed();
            failed(e.toString());
            Duration delay = backoff.next();
            log.error(
                    "{} {}: unexpected failure ({}); retrying in {} ms",
                    plural(),
                    scope(),
                    e.toString(),
                    delay.toMillis(),
                    e);
            return new BackingOff(delay, retryOf(state));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return state;
        }
    }

    /** Counts and reports a failed request, then waits (the server's Retry-After, else the backoff) and goes on with {@code retry}. */
    private State backOff(ApiException e, State retry) {
        counters.apiError();
        failed(e.getMessage());
        Duration delay = e.retryAfter().orElseGet(backoff::next);
        log.warn("{} {}: {}; retrying in {} ms", plural(), scope(), e.getMessage(), delay.toMillis());
        return new BackingOff(delay, retry);
    }

    /** What to try again after {@code state} failed: an open watch is closed and reopened from its resourceVersion. */
    private State retryOf(State state) {
        return switch (state) {
            case BackingOff b -> b.then();
            case Watching w
            when w.stream() != null -> {
                close(w.stream());
                yield Watching.from(w.resourceVersion());
            }
            default -> state;
        };
    }

    // --- Listing ---

    private State list(Listing l) throws InterruptedException {
        return switch (l.read()) {
            case ListRead.FromWatchCache c -> whole(l.cause(), "0", null);
            case ListRead.NotOlderThan n -> whole(l.cause(), n.resourceVersion(), "NotOlderThan");
            case ListRead.Consistent c -> paginated(l, c.watchAfterFirstPage());
        };
    }

    /** One request for the whole list; the server ignores limit when it reads from the watch cache. */
    private State whole(RelistCause cause, String resourceVersion, @Nullable String match) {
        Map<String, String> q = baseQuery();
        q.put("resourceVersion", resourceVersion);
        if (match != null) {
            q.put("resourceVersionMatch", match);
        }
        ListPage<T> page = api.list(path(), q, decoder::readList);
        return delivered(page.items(), page.resourceVersion(), cause, null);
    }

    private State paginated(Listing l, boolean watchEarly) throws InterruptedException {
        Map<String, String> q = baseQuery();
        q.put("limit", Integer.toString(spec.pageSize()));
        ListPage<T> page = api.list(path(), q, decoder::readList);
        String listRv = page.resourceVersion();
        List<T> items = new ArrayList<>(page.items());
        Watching early = null;
        int pages = 1;
        try {
            if (page.hasMore() && watchEarly) {
                // The watch starts from the first page's snapshot; its events wait in the stream's queue.
                early = openWatch(listRv, 0);
            }
            spec.afterPage().accept(pages);
            while (page.hasMore()) {
                Map<String, String> next = baseQuery();
                next.put("limit", Integer.toString(spec.pageSize()));
                next.put("continue", page.continueToken());
                try {
                    page = api.list(path(), next, decoder::readList);
                } catch (ApiException e) {
                    if (e.isGone()) {
                        log.info("{} {}: continue token expired mid-list; listing again", plural(), scope());
                        counters.gone();
                        closeStreamOf(early);
                        return new Listing(RelistCause.EXPIRED_CONTINUE, l.read());
                    }
                    throw e;
                }
                items.addAll(page.items());
                spec.afterPage().accept(++pages);
            }
        } catch (RuntimeException e) {
            closeStreamOf(early);
            throw e;
        }
        return delivered(items, listRv, l.cause(), early);
    }

    /** Hands a complete list to the sink; the watch goes on from its resourceVersion (or is open already). */
    private State delivered(List<T> items, String rv, RelistCause cause, @Nullable Watching early) {
        counters.listed(cause);
        try {
            sink.replace(items, rv, cause);
        } catch (RuntimeException e) {
            closeStreamOf(early);
            throw e;
        }
        return early != null ? early : Watching.from(rv);
    }

    // --- the streaming list (Kubernetes 1.27+) ---

    private State streamingList() throws InterruptedException {
        Map<String, String> q = baseQuery();
        q.put("watch", "true");
        q.put("sendInitialEvents", "true");
        q.put("resourceVersionMatch", "NotOlderThan");
        q.put("allowWatchBookmarks", "true");
        Duration timeout = watchTimeout();
        q.put("timeoutSeconds", Long.toString(timeout.toSeconds()));
        WatchStream<T> stream;
        try {
            stream = track(WatchStream.open(api.watch(path(), q), decoder, plural()));
        } catch (ApiException e) {
            if (e.code() == 400 || e.code() == 422 || e.code() == 403) {
                return new StreamingRefused("the server rejected it: " + e.getMessage());
            }
            throw e;
        }
        List<T> items = new ArrayList<>();
        long deadline = ticker.nanoTime() + spec.streamingDetectTimeout().toNanos();
        while (!stopped) {
            WatchEvent<T> e = stream.poll(pollWait);
            if (e == null) {
                if (ticker.nanoTime() - deadline > 0) {
                    close(stream);
                    return new StreamingRefused("no " + StreamDecoder.INITIAL_EVENTS_END + " bookmark within "
                            + spec.streamingDetectTimeout().toMillis() + " ms");
                }
                continue;
            }
            switch (e) {
                case WatchEvent.Added<T> a -> items.add(a.object());
                case WatchEvent.Bookmark<T> b
                when b.initialEventsEnd() -> {
                    Watching open = opened(b.resourceVersion(), stream, timeout, 0);
                    return delivered(items, b.resourceVersion(), RelistCause.INITIAL, open);
                }
                default -> {
                    close(stream);
                    return new StreamingRefused(
                            "the stream sent " + e.getClass().getSimpleName() + " before any "
                                    + StreamDecoder.INITIAL_EVENTS_END + " bookmark");
                }
            }
        }
        close(stream);
        return new StreamingList();
    }

    private State streamingRefused(StreamingRefused r) {
        log.info("{} {}: no streaming list ({}); falling back to watch-after-first-page", plural(), scope(), r.why());
        counters.streamingFellBack();
        return new Listing(RelistCause.INITIAL, new ListRead.Consistent(true));
    }

    // --- Watching ---

    private State open(Watching w) {
        try {
            return openWatch(w.resourceVersion(), w.serverErrors());
        } catch (ApiException e) {
            if (e.isGone()) {
                counters.gone();
                return relist(RelistCause.GONE, w.resourceVersion());
            }
            if (isServerError(e)) {
                Watching again = w.afterServerError();
                return again.givenUp() ? giveUp(again, e) : backOff(e, again);
            }
            if (e.isForbidden() && spec.pollInterval() != null) {
                log.warn(
                        "{} {}: watching is forbidden ({}); polling every {} ms with cheap lists instead",
                        plural(),
                        scope(),
                        e.getMessage(),
                        spec.pollInterval().toMillis());
                failed(e.getMessage());
                return new Polling(w.resourceVersion());
            }
            throw e;
        }
    }

    /** One event per step, so each is a visible transition; a quiet step checks for silence. */
    private State watch(Watching w) throws InterruptedException {
        WatchStream<T> stream = streamOf(w);
        WatchEvent<T> e = stream.poll(pollWait);
        if (e == null) {
            return quiet(w, stream);
        }
        long now = ticker.nanoTime();
        String rv = w.resourceVersion();
        return switch (e) {
            case WatchEvent.Added<T> a -> {
                sink.apply(a.object());
                yield w.heard(a.object().resourceVersion(), now);
            }
            case WatchEvent.Modified<T> m -> {
                sink.apply(m.object());
                yield w.heard(m.object().resourceVersion(), now);
            }
            case WatchEvent.Deleted<T> d -> {
                sink.delete(d.object());
                yield w.heard(d.object().resourceVersion(), now);
            }
            case WatchEvent.Bookmark<T> b -> {
                counters.bookmark();
                yield w.heard(b.resourceVersion(), now);
            }
            case WatchEvent.Error<T> err -> {
                close(stream);
                if (err.error().isGone()) {
                    counters.gone();
                    yield relist(RelistCause.GONE, rv);
                }
                failed(err.error().getMessage());
                Watching again = isServerError(err.error()) ? w.afterServerError() : Watching.from(rv);
                if (again.givenUp()) {
                    yield giveUp(again, err.error());
                }
                Duration delay = backoff.next();
                log.warn(
                        "{} {}: the watch answered {}; resuming from {} in {} ms",
                        plural(),
                        scope(),
                        err.error().getMessage(),
                        rv,
                        delay.toMillis());
                yield new BackingOff(delay, again);
            }
            case WatchEvent.End<T> end -> {
                close(stream);
                counters.watchRestarted();
                if (end.cause() == null || stopped) {
                    yield Watching.from(rv); // the server's timeout: resume at once
                }
                Duration delay = backoff.next();
                if (end.cause() instanceof RuntimeException bug) {
                    counters.failed();
                    failed(bug.toString());
                    log.error(
                            "{} {}: decoding the watch failed ({}); resuming from {} in {} ms",
                            plural(),
                            scope(),
                            bug.toString(),
                            rv,
                            delay.toMillis(),
                            bug);
                } else {
                    log.debug("{} {}: watch dropped ({}); resuming from {}", plural(), scope(), end.cause(), rv);
                }
                yield new BackingOff(delay, Watching.from(rv));
            }
        };
    }

    private static boolean isServerError(ApiException e) {
        return e.code() >= 500;
    }

    /** The apiserver cannot serve a watch from this resourceVersion: relist, as after a 410 (scoped, diffed). */
    private State giveUp(Watching w, ApiException last) {
        log.warn(
                "{} {}: {} watches in a row from resourceVersion {} answered a server error (last: {}); relisting",
                plural(),
                scope(),
                w.serverErrors(),
                w.resourceVersion(),
                last.getMessage());
        return relist(RelistCause.SERVER_ERROR, w.resourceVersion());
    }

    /**
     * Nothing arrived. A watch past its own timeout (plus a grace) is dead: reopen. A watch quiet
     * for {@code silentAfter} while the server answered nothing else either gets a probe; if even
     * that goes unanswered, the server is not answering: say so once, and wait for it in {@link
     * Silent}.
     */
    private State quiet(Watching w, WatchStream<T> stream) throws InterruptedException {
        long now = ticker.nanoTime();
        if (now - w.endsByNanos() > 0) {
            close(stream);
            counters.overdueWatch();
            log.warn(
                    "{} {}: the watch outlived its timeoutSeconds by {} s without ending; reopening from {}",
                    plural(),
                    scope(),
                    OVERDUE_GRACE.toSeconds(),
                    w.resourceVersion());
            return Watching.from(w.resourceVersion());
        }
        long lastHeard = Math.max(w.heardNanos(), api.lastAnswerNanos());
        Duration quietFor = Duration.ofNanos(now - lastHeard);
        if (quietFor.compareTo(spec.silentAfter()) < 0) {
            return w; // a calm scope: the server answered something lately
        }
        Optional<String> unanswered = api.probe(probeTimeout());
        if (unanswered.isEmpty()) {
            return w.heard(w.resourceVersion(), ticker.nanoTime()); // it answers; this scope is just calm
        }
        close(stream);
        counters.silence();
        Duration silentFor = Duration.ofNanos(ticker.nanoTime() - lastHeard); // the probe took its time too
        silentSince = Instant.now().minus(silentFor);
        String why = "apiserver not answering: watch of " + plural() + " " + scope() + " silent for "
                + silentFor.toSeconds() + " s, /version: " + unanswered.get();
        failed(why);
        log.warn("{}; resuming from {} when it answers", why, w.resourceVersion());
        return new Silent(w.resourceVersion(), lastHeard);
    }

    private State silent(Silent s) throws InterruptedException {
        ticker.sleep(probeTimeout());
        if (api.probe(probeTimeout()).isPresent()) {
            return s; // still silent; said so once already
        }
        silentSince = null;
        log.info(
                "apiserver answering again: watch of {} {} resumes from {} after {} s of silence",
                plural(),
                scope(),
                s.resourceVersion(),
                Duration.ofNanos(ticker.nanoTime() - s.sinceNanos()).toSeconds());
        return Watching.from(s.resourceVersion());
    }

    /** Opens a watch from {@code rv}: the list's resourceVersion, then each event's or bookmark's. */
    private Watching openWatch(String rv, int serverErrors) {
        Map<String, String> q = baseQuery();
        q.put("watch", "true");
        q.put("resourceVersion", rv);
        q.put("allowWatchBookmarks", "true");
        Duration timeout = watchTimeout();
        q.put("timeoutSeconds", Long.toString(timeout.toSeconds()));
        WatchStream<T> s = track(WatchStream.open(api.watch(path(), q), decoder, plural()));
        return opened(rv, s, timeout, serverErrors);
    }

    /** An open watch; {@code serverErrors} carries on until it delivers something. */
    private Watching opened(String rv, WatchStream<T> stream, Duration timeout, int serverErrors) {
        long now = ticker.nanoTime();
        return new Watching(rv, stream, now, now + timeout.plus(OVERDUE_GRACE).toNanos(), serverErrors);
    }

    // --- Polling (watch forbidden) ---

    private State poll(Polling p) throws InterruptedException {
        ticker.sleep(spec.pollInterval());
        Map<String, String> q = baseQuery();
        q.put("resourceVersion", p.resourceVersion().isEmpty() ? "0" : p.resourceVersion());
        if (!"0".equals(q.get("resourceVersion"))) {
            q.put("resourceVersionMatch", "NotOlderThan");
        }
        ListPage<T> page = api.list(path(), q, decoder::readList);
        counters.listed(RelistCause.POLL);
        sink.replace(page.items(), page.resourceVersion(), RelistCause.POLL);
        return new Polling(page.resourceVersion());
    }

    // --- helpers ---

    private void failed(String message) {
        lastError = new Informer.Status.Failure(namespace, message, Instant.now());
    }

    private Duration probeTimeout() {
        return spec.silentAfter().compareTo(PROBE_AT_MOST) < 0 ? spec.silentAfter() : PROBE_AT_MOST;
    }

    /** Remembers the open stream so {@link #stop()} can close it; closes it at once if stop() came first. */
    private WatchStream<T> track(WatchStream<T> s) {
        current = s;
        if (stopped) {
            s.close(); // stop() ran while the request was in flight and could not see this stream
        }
        return s;
    }

    private void close(WatchStream<?> s) {
        s.close();
        if (current == s) {
            current = null;
        }
    }

    private void closeStreamOf(@Nullable State s) {
        if (s instanceof Watching w && w.stream() != null) {
            close(w.stream());
        } else if (s instanceof BackingOff b) {
            closeStreamOf(b.then());
        }
    }

    @SuppressWarnings("unchecked")
    private WatchStream<T> streamOf(Watching w) {
        return (WatchStream<T>) java.util.Objects.requireNonNull(w.stream());
    }

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

    private String plural() {
        return spec.resource().plural();
    }

    private String scope() {
        return namespace == null ? "(all namespaces)" : "in " + namespace;
    }
}
