package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watch's feed: changes in id order, gaps held back a while, old cursors served from the store. */
class ChangeFeedTest {
    /** A store's transitions: committed ones only, as a reader sees them. */
    static final class Committed implements ChangeFeed.Source {
        final TreeMap<Long, Change> rows = new TreeMap<>();
        int reads;

        synchronized void commit(long... ids) {
            for (long id : ids) {
                rows.put(id, Change.of(id, "t" + id, "n", "ns", 1, null, TaskState.QUEUED, Instant.EPOCH, null));
            }
        }

        @Override
        public synchronized List<Change> after(long id, int limit) {
            reads++;
            return rows.tailMap(id, false).values().stream().limit(limit).toList();
        }

        @Override
        public synchronized long lastId() {
            return rows.isEmpty() ? 0 : rows.lastKey();
        }
    }

    private final Committed store = new Committed();
    private final AtomicLong clock = new AtomicLong();
    private final Duration none = Duration.ZERO;

    private ChangeFeed feed(int window) {
        return new ChangeFeed(store, Duration.ofMillis(50), Duration.ofSeconds(2), window, clock::get);
    }

    private static List<Long> ids(List<Change> changes) {
        return changes.stream().map(Change::id).toList();
    }

    @Test
    void aNewWatcherStartsAfterWhatTheStoreHadWhenTheFeedStarted() throws Exception {
        store.commit(1, 2, 3);
        ChangeFeed feed = feed(100);
        assertThat(feed.now()).isEqualTo(3);
        store.commit(4, 5);
        feed.pollOnce();
        assertThat(ids(feed.after(feed.now() - 2, 10, none))).containsExactly(4L, 5L);
        assertThat(feed.after(5, 10, none)).isEmpty();
    }

    @Test
    void aMissingIdHoldsLaterOnesBackUntilItCommits() throws Exception {
        ChangeFeed feed = feed(100);
        store.commit(1, 3, 4); // 2 is still in its transaction
        feed.pollOnce();
        assertThat(ids(feed.after(0, 10, none))).containsExactly(1L);

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        feed.pollOnce();
        assertThat(feed.now()).isEqualTo(1);
        store.commit(2);
        feed.pollOnce();
        assertThat(ids(feed.after(1, 10, none))).containsExactly(2L, 3L, 4L);
    }

    @Test
    void aGapThatStaysIsSkippedAfterTheGapWait() throws Exception {
        ChangeFeed feed = feed(100);
        store.commit(1, 3); // 2 rolled back
        feed.pollOnce();
        assertThat(feed.now()).isEqualTo(1);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        feed.pollOnce();
        assertThat(feed.now()).isEqualTo(3);
        assertThat(ids(feed.after(1, 10, none))).containsExactly(3L);
    }

    @Test
    void aCursorOlderThanTheWindowIsServedFromTheStoreUpToWhatIsInOrder() throws Exception {
        ChangeFeed feed = feed(3);
        store.commit(1, 2, 3, 4, 5, 6, 7);
        feed.pollOnce();
        store.commit(9); // after a gap: not delivered yet
        int before = store.reads;
        assertThat(ids(feed.after(1, 10, none))).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(store.reads).as("read from the store").isEqualTo(before + 1);
        before = store.reads;
        assertThat(ids(feed.after(5, 10, none))).containsExactly(6L, 7L);
        assertThat(store.reads).as("served from memory").isEqualTo(before);
    }

    @Test
    void aWaitingWatcherWakesWhenAChangeArrives() throws Exception {
        ChangeFeed feed = feed(100).start();
        try {
            Thread.ofVirtual().start(() -> store.commit(1));
            assertThat(ids(feed.after(0, 10, Duration.ofSeconds(10)))).containsExactly(1L);
        } finally {
            feed.close();
        }
    }
}
