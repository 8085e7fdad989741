package dev.drover.kube;

import static dev.drover.kube.ScriptedApi.added;
import static dev.drover.kube.ScriptedApi.bookmark;
import static dev.drover.kube.ScriptedApi.expired;
import static dev.drover.kube.ScriptedApi.prevKvNil;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.drover.kube.ListWatcher.BackingOff;
import dev.drover.kube.ListWatcher.ListRead;
import dev.drover.kube.ListWatcher.Listing;
import dev.drover.kube.ListWatcher.Polling;
import dev.drover.kube.ListWatcher.Silent;
import dev.drover.kube.ListWatcher.State;
import dev.drover.kube.ListWatcher.StreamingRefused;
import dev.drover.kube.ListWatcher.Watching;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch loop's transitions, driven step by step through scripted answers, asserting the exact
 * requests each case makes (after client-go's {@code TestReflectorFullListIfExpired}). No
 * apiserver, no waiting: time is a {@link ScriptedApi.FakeTicker}. The same cases run against the
 * real kube-apiserver in InformerTest, InformerRecoveryTest and EventInformerTest.
 */
class ListWatcherTest {
    /** What every watch of these tests adds to its query (timeouts are fixed at 300 s here). */
    private static final String W = "&allowWatchBookmarks=true&timeoutSeconds=300";

    private final ScriptedApi.FakeTicker ticker = new ScriptedApi.FakeTicker();
    private final ScriptedApi api = new ScriptedApi(ticker);
    private final List<String> seen = new ArrayList<>();
    private final WatchCounters counters = new WatchCounters();
    private final List<ListWatcher<PodView>> started = new ArrayList<>();
    private final AtomicInteger sinkFailures = new AtomicInteger();

    @AfterEach
    void stopWatchers() {
        started.forEach(ListWatcher::stop);
    }

    @Test
    void theFirstListReadsTheWatchCacheAndTheWatchGoesOnFromEachEventsResourceVersion() {
        api.page("10", null, "a");
        api.stream(added("b", "11")).end();
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = w.initialState();
        assertThat(s).isEqualTo(new Listing(RelistCause.INITIAL, new ListRead.FromWatchCache()));
        s = next(w, s);
        assertThat(s).isEqualTo(Watching.from("10"));
        s = next(w, s); // opens
        s = next(w, s); // ADDED b
        assertThat(((Watching) s).resourceVersion()).isEqualTo("11");
        s = next(w, s); // the server's timeout ends the watch: resume at once, no list
        assertThat(s).isEqualTo(Watching.from("11"));
        next(w, s);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=11" + W);
        assertThat(seen).containsExactly("replace [a] @10 INITIAL", "apply b@11");
    }

    @Test
    void a410OnOpeningTheWatchRelistsWithAConsistentPagedReadAndWatchesFromTheNewList() {
        api.page("10", null, "a");
        api.refuse(410, "Expired");
        api.page("20", null, "a", "c");
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = run(w, w.initialState(), 2);
        assertThat(s).isEqualTo(new Listing(RelistCause.GONE, new ListRead.Consistent(false)));
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "list limit=500",
                        "watch watch=true&resourceVersion=20" + W);
        assertThat(seen).containsExactly("replace [a] @10 INITIAL", "replace [a, c] @20 GONE");
        assertThat(counters.gone410()).isEqualTo(1);
    }

    @Test
    void anError410MidStreamRelists() {
        api.page("10", null);
        api.stream(added("a", "11"), expired());
        api.page("30", null, "a");
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = run(w, w.initialState(), 4);
        assertThat(s).isEqualTo(new Listing(RelistCause.GONE, new ListRead.Consistent(false)));
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "list limit=500",
                        "watch watch=true&resourceVersion=30" + W);
        assertThat(seen).containsExactly("replace [] @10 INITIAL", "apply a@11", "replace [a] @30 GONE");
    }

    @Test
    void threeWatchesInARowAnswering500FromOneResourceVersionAreGivenUpForARelistLikeA410() {
        api.page("10", null);
        api.stream(prevKvNil());
        api.stream(added("a", "11"), prevKvNil()); // it delivered: the count starts over from 11
        api.stream(prevKvNil());
        api.stream(prevKvNil());
        api.page("20", null, "a");
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = run(w, w.initialState(), 2); // listed, opened from 10
        List<State> states = new ArrayList<>();
        while (!(s instanceof Listing)) {
            s = next(w, s);
            states.add(s);
        }
        assertThat(s).isEqualTo(new Listing(RelistCause.SERVER_ERROR, new ListRead.Consistent(false)));
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=11" + W,
                        "watch watch=true&resourceVersion=11" + W,
                        "list limit=500",
                        "watch watch=true&resourceVersion=20" + W);
        assertThat(states.stream().filter(BackingOff.class::isInstance))
                .as("each retry waits its backoff, as before")
                .hasSize(3);
        assertThat(seen).containsExactly("replace [] @10 INITIAL", "apply a@11", "replace [a] @20 SERVER_ERROR");
        assertThat(counters.lists(RelistCause.SERVER_ERROR)).isEqualTo(1);
        assertThat(counters.relists()).isEqualTo(1);
        assertThat(counters.gone410()).isZero();
    }

    @Test
    void a500OnOpeningCountsLikeOneAsAnErrorEventAndEventsRelistNotOlderThanTheLastSeen() {
        api.page("10", null);
        api.refuse(500, "InternalError");
        api.refuse(503, "ServiceUnavailable");
        api.stream(prevKvNil());
        api.page("30", null);
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.NOT_OLDER_THAN_LAST_KNOWN, null);

        State s = run(w, w.initialState(), 1);
        while (!(s instanceof Listing)) {
            s = next(w, s);
        }
        assertThat(s).isEqualTo(new Listing(RelistCause.SERVER_ERROR, new ListRead.NotOlderThan("10")));
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=10" + W,
                        "list resourceVersion=10&resourceVersionMatch=NotOlderThan",
                        "watch watch=true&resourceVersion=30" + W);
    }

    @Test
    void twoServerErrorsThenAWorkingWatchDoNotRelist() {
        api.page("10", null);
        api.refuse(500, "InternalError");
        api.stream(prevKvNil());
        api.stream(added("a", "11"));
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = run(w, w.initialState(), 1);
        while (!(s instanceof Watching open
                && open.stream() != null
                && open.resourceVersion().equals("11"))) {
            assertThat(s).isNotInstanceOf(Listing.class);
            s = next(w, s);
        }
        assertThat(((Watching) s).serverErrors()).isZero();
        assertThat(counters.relists()).isZero();
    }

    @Test
    void eventsRelistAfter410NotOlderThanTheLastResourceVersionSeen() {
        api.page("10", null);
        api.stream(added("e", "12"), expired());
        api.page("40", null, "e");
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.NOT_OLDER_THAN_LAST_KNOWN, null);

        State s = run(w, w.initialState(), 4);
        assertThat(s).isEqualTo(new Listing(RelistCause.GONE, new ListRead.NotOlderThan("12")));
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "list resourceVersion=12&resourceVersionMatch=NotOlderThan",
                        "watch watch=true&resourceVersion=40" + W);
    }

    @Test
    void anExpiredContinueTokenStartsTheListOverFromTheFirstPage() {
        api.page("10", "c1", "a", "b");
        api.refuse(410, "Expired");
        api.page("15", "c2", "a", "b");
        api.page("15", null, "c");
        api.stream();
        var w = watcher(InitialList.PAGINATED, RelistReads.CONSISTENT, null, 2);

        State s = next(w, w.initialState());
        assertThat(s).isEqualTo(new Listing(RelistCause.EXPIRED_CONTINUE, new ListRead.Consistent(false)));
        s = next(w, s);
        assertThat(s).isEqualTo(Watching.from("15"));
        next(w, s);

        assertThat(api.requests())
                .containsExactly(
                        "list limit=2",
                        "list limit=2&continue=c1",
                        "list limit=2",
                        "list limit=2&continue=c2",
                        "watch watch=true&resourceVersion=15" + W);
        assertThat(seen).containsExactly("replace [a, b, c] @15 EXPIRED_CONTINUE");
    }

    @Test
    void aForbiddenWatchTurnsIntoPollingWithCheapListsNotOlderThanTheLast() {
        api.page("10", null, "a");
        api.refuse(403, "Forbidden");
        api.page("12", null, "a", "b");
        api.page("12", null, "a", "b");
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, Duration.ofSeconds(10));

        State s = run(w, w.initialState(), 2);
        assertThat(s).isEqualTo(new Polling("10"));
        s = next(w, s);
        assertThat(s).isEqualTo(new Polling("12"));
        next(w, s);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "list resourceVersion=10&resourceVersionMatch=NotOlderThan",
                        "list resourceVersion=12&resourceVersionMatch=NotOlderThan");
        assertThat(counters.lists(RelistCause.POLL)).isEqualTo(2);
    }

    @Test
    void aStreamingListTheServerRefusesFallsBackOnceToWatchingAfterTheFirstPage() {
        api.refuse(422, "Invalid");
        api.refuse(500, "InternalError"); // the fallback's first try fails ...
        api.page("10", "c1", "a"); // ... and its retry is again a paged list, not another streaming try
        api.stream(added("b", "11"));
        api.page("10", null, "c");
        var w = watcher(InitialList.STREAMING, RelistReads.CONSISTENT, null);

        State s = next(w, w.initialState());
        assertThat(s).isInstanceOf(StreamingRefused.class);
        s = next(w, s);
        assertThat(s).isEqualTo(new Listing(RelistCause.INITIAL, new ListRead.Consistent(true)));
        s = next(w, s);
        assertThat(s)
                .isEqualTo(new BackingOff(
                        ((BackingOff) s).delay(), new Listing(RelistCause.INITIAL, new ListRead.Consistent(true))));
        s = run(w, s, 2);
        assertThat(s).isInstanceOfSatisfying(Watching.class, open -> {
            assertThat(open.resourceVersion()).isEqualTo("10");
            assertThat(open.stream())
                    .as("the watch opened after the first page")
                    .isNotNull();
        });
        next(w, s); // the buffered event comes after the list

        assertThat(api.requests())
                .containsExactly(
                        "watch watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan" + W,
                        "list limit=500",
                        "list limit=500",
                        "watch watch=true&resourceVersion=10" + W,
                        "list limit=500&continue=c1");
        assertThat(seen).containsExactly("replace [a, c] @10 INITIAL", "apply b@11");
        assertThat(counters.streamingFallbacks()).isEqualTo(1);
    }

    @Test
    void aBookmarkMovesTheResourceVersionSoTheNextWatchResumesFromItWithoutAList() {
        api.page("10", null);
        api.stream(bookmark("50")).end();
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        State s = run(w, w.initialState(), 3);
        assertThat(((Watching) s).resourceVersion()).isEqualTo("50");
        run(w, s, 2);

        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=50" + W);
        assertThat(counters.bookmarks()).isEqualTo(1);
        assertThat(counters.relists()).isZero();
    }

    @Test
    void aSinkThatThrowsIsCountedReportedAndRetriedAfterABackoff() {
        sinkFailures.set(1);
        api.page("10", null, "a");
        api.page("11", null, "a");
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);

        try (LogCapture logs = new LogCapture()) {
            State s = next(w, w.initialState());
            assertThat(s)
                    .isEqualTo(new BackingOff(
                            ((BackingOff) s).delay(), new Listing(RelistCause.INITIAL, new ListRead.FromWatchCache())));
            run(w, s, 3);

            assertThat(logs.atLeast(Level.ERROR)).singleElement().asString().contains("a bug in the sink");
        }
        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0", "list resourceVersion=0", "watch watch=true&resourceVersion=11" + W);
        assertThat(counters.failures()).isEqualTo(1);
        assertThat(w.lastError()).isNotNull();
        assertThat(w.lastError().message()).contains("a bug in the sink");
    }

    @Test
    void aSinkThatThrowsOnAWatchEventReopensTheWatchFromBeforeThatEvent() {
        api.page("10", null);
        ScriptedApi.ScriptedStream first = api.stream(added("a", "11"));
        api.stream(added("a", "11"));
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);
        State s = run(w, w.initialState(), 2);
        sinkFailures.set(1);

        s = next(w, s);
        assertThat(s).isEqualTo(new BackingOff(((BackingOff) s).delay(), Watching.from("10")));
        run(w, s, 3);

        assertThat(first.closed()).isTrue();
        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=10" + W);
        assertThat(seen).containsExactly("replace [] @10 INITIAL", "apply a@11");
    }

    @Test
    void aQuietWatchWhoseServerAnswersNothingNotEvenAProbeIsSilentUntilItAnswersThenResumesWithoutAList() {
        api.page("10", null);
        ScriptedApi.ScriptedStream frozen = api.stream();
        api.stream();
        api.unansweredProbes("timed out after 5000 ms", "timed out after 5000 ms");
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);
        State s = run(w, w.initialState(), 2);

        try (LogCapture logs = new LogCapture()) {
            ticker.advance(Duration.ofSeconds(31));
            s = w.step(s);
            assertThat(s).isInstanceOf(Silent.class);
            assertThat(frozen.closed()).isTrue();
            assertThat(w.silentSince()).isNotNull();
            s = w.step(s);
            assertThat(s).as("still not answering").isInstanceOf(Silent.class);
            s = w.step(s);
            assertThat(s).isEqualTo(Watching.from("10"));
            assertThat(w.silentSince()).isNull();

            assertThat(logs.atLeast(Level.WARN))
                    .singleElement()
                    .asString()
                    .startsWith("apiserver not answering: watch of pods in ns silent for 31 s, /version: timed out");
            assertThat(logs.atLeast(Level.INFO)).last().asString().startsWith("apiserver answering again");
        }
        next(w, s);
        assertThat(api.requests())
                .containsExactly(
                        "list resourceVersion=0",
                        "watch watch=true&resourceVersion=10" + W,
                        "watch watch=true&resourceVersion=10" + W);
        assertThat(counters.silences()).isEqualTo(1);
        assertThat(w.lastError().message()).startsWith("apiserver not answering");
    }

    @Test
    void aQuietWatchIsLeftAloneWhileTheServerAnswersOtherRequestsOrAProbe() {
        api.page("10", null);
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);
        State s = run(w, w.initialState(), 2);

        ticker.advance(Duration.ofSeconds(31));
        api.answeredAt(ticker.nanoTime() - Duration.ofSeconds(1).toNanos()); // another request's answer
        s = w.step(s);
        assertThat(api.probesMade).isZero();
        ticker.advance(Duration.ofSeconds(31));
        s = w.step(s); // nothing answered for 31 s: a probe, which the server answers
        assertThat(api.probesMade).isEqualTo(1);
        s = w.step(s);

        assertThat(s)
                .isInstanceOfSatisfying(
                        Watching.class, open -> assertThat(open.stream()).isNotNull());
        assertThat(api.probesMade).isEqualTo(1);
        assertThat(counters.silences()).isZero();
    }

    @Test
    void aWatchThatOutlivesItsOwnTimeoutIsReopenedFromItsResourceVersion() {
        api.page("10", null);
        ScriptedApi.ScriptedStream stuck = api.stream();
        api.stream();
        var w = watcher(InitialList.LIST_THEN_WATCH, RelistReads.CONSISTENT, null);
        State s = run(w, w.initialState(), 2);

        ticker.advance(Duration.ofSeconds(300).plus(ListWatcher.OVERDUE_GRACE).plusSeconds(1));
        api.answeredAt(ticker.nanoTime()); // the server answers; only this stream is stuck
        s = w.step(s);

        assertThat(s).isEqualTo(Watching.from("10"));
        assertThat(stuck.closed()).isTrue();
        assertThat(counters.overdueWatches()).isEqualTo(1);
        next(w, s);
        assertThat(api.requests()).endsWith("watch watch=true&resourceVersion=10" + W);
    }

    // --- the rig ---

    private ListWatcher<PodView> watcher(InitialList initial, RelistReads relist, @Nullable Duration poll) {
        return watcher(initial, relist, poll, 500);
    }

    private ListWatcher<PodView> watcher(
            InitialList initial, RelistReads relist, @Nullable Duration poll, int pageSize) {
        var spec = new ListWatchSpec<>(
                ResourceType.PODS,
                PodView.PROJECTION,
                null,
                null,
                initial,
                relist,
                pageSize,
                Duration.ofSeconds(300),
                Duration.ofSeconds(300),
                poll,
                Duration.ofSeconds(10),
                Duration.ofMillis(800),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                page -> {});
        var w = new ListWatcher<>(api, spec, "ns", new RecordingSink(), counters, ticker, Duration.ofMillis(5));
        started.add(w);
        return w;
    }

    /** Steps until the state changes: a quiet watch stays the same state while its stream's reader catches up. */
    private static State next(ListWatcher<PodView> w, State s) {
        for (int i = 0; i < 2000; i++) {
            State n = w.step(s);
            if (n != s) {
                return n;
            }
        }
        throw new AssertionError("no transition from " + s + " within 2000 steps");
    }

    private static State run(ListWatcher<PodView> w, State s, int transitions) {
        for (int i = 0; i < transitions; i++) {
            s = next(w, s);
        }
        return s;
    }

    private final class RecordingSink implements ListWatcher.Sink<PodView> {
        @Override
        public void replace(List<PodView> items, String resourceVersion, RelistCause cause) {
            failIfAsked();
            seen.add("replace " + items.stream().map(PodView::name).toList() + " @" + resourceVersion + " " + cause);
        }

        @Override
        public void apply(PodView p) {
            failIfAsked();
            seen.add("apply " + p.name() + "@" + p.resourceVersion());
        }

        @Override
        public void delete(PodView p) {
            failIfAsked();
            seen.add("delete " + p.name() + "@" + p.resourceVersion());
        }

        private void failIfAsked() {
            if (sinkFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("a bug in the sink");
            }
        }
    }
}
