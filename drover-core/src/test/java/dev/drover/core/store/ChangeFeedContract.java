package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TaskStore#changesAfter} and {@link TaskStore#lastChangeId}: the change feed, on any database. */
abstract class ChangeFeedContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    TestDatabase db;
    TaskStore store;

    abstract TestDatabase newDatabase();

    @BeforeEach
    void openStore() {
        db = newDatabase();
        store = db.open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    void submit(String id, String name) {
        store.insert(
                id, TaskSpec.builder(name).namespace("jobs").image("busybox").build(), T0);
    }

    @Test
    void anEmptyStoreHasNoChangesAndLastIdZero() {
        assertThat(store.lastChangeId()).isZero();
        assertThat(store.changesAfter(0, 10)).isEmpty();
    }

    @Test
    void changesComeInIdOrderWithTheirTaskAndTry() {
        submit("t-1", "first");
        submit("t-2", "second");
        store.claim("me", 1, T0.plusSeconds(1));
        store.transition(
                "t-1", 1, Set.of(TaskState.LAUNCHING), TaskState.RUNNING, "started", null, null, T0.plusSeconds(2));

        List<TaskChange> changes = store.changesAfter(0, 10);

        assertThat(changes)
                .extracting(TaskChange::taskId, TaskChange::from, TaskChange::to)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("t-1", null, TaskState.QUEUED),
                        org.assertj.core.groups.Tuple.tuple("t-2", null, TaskState.QUEUED),
                        org.assertj.core.groups.Tuple.tuple("t-1", TaskState.QUEUED, TaskState.LAUNCHING),
                        org.assertj.core.groups.Tuple.tuple("t-1", TaskState.LAUNCHING, TaskState.RUNNING));
        assertThat(changes).extracting(TaskChange::id).isSorted().doesNotHaveDuplicates();
        TaskChange running = changes.getLast();
        assertThat(running)
                .isEqualTo(new TaskChange(
                        running.id(),
                        "t-1",
                        "first",
                        "jobs",
                        1,
                        TaskState.LAUNCHING,
                        TaskState.RUNNING,
                        "started",
                        T0.plusSeconds(2)));
        assertThat(store.lastChangeId()).isEqualTo(running.id());
    }

    @Test
    void aFeedResumesAfterTheLastIdItSawAndGetsEachChangeOnce() {
        for (int i = 0; i < 7; i++) {
            submit("t-" + i, "a");
        }
        List<TaskChange> all = store.changesAfter(0, 100);

        List<TaskChange> resumed = new ArrayList<>();
        long after = 0;
        for (List<TaskChange> batch = store.changesAfter(after, 3);
                !batch.isEmpty();
                batch = store.changesAfter(after, 3)) {
            assertThat(batch).hasSizeLessThanOrEqualTo(3);
            resumed.addAll(batch);
            after = batch.getLast().id();
        }

        assertThat(resumed).isEqualTo(all).hasSize(7);
        assertThat(store.changesAfter(store.lastChangeId(), 10)).isEmpty();

        submit("t-new", "a");
        assertThat(store.changesAfter(after, 10)).extracting(TaskChange::taskId).containsExactly("t-new");
    }

    @Test
    void changesMadeThroughAnotherStoreOnTheDatabaseAreInTheFeed() {
        submit("t-1", "a");
        long seen = store.lastChangeId();
        try (TaskStore replica = db.open()) {
            replica.claim("other", 1, T0.plusSeconds(1));
        }

        assertThat(store.changesAfter(seen, 10))
                .singleElement()
                .satisfies(c -> assertThat(c.reason()).isEqualTo("claimed by other"));
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> store.changesAfter(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("limit 0");
    }
}
