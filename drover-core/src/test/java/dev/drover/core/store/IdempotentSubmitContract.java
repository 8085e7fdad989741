package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TaskStore#insertAll(java.util.SequencedMap, String, Instant, IdempotencyKey)}, on any database. */
abstract class IdempotentSubmitContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final IdempotencyKey KEY = new IdempotencyKey("alice", "key-1", "hash-a");

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

    /** A batch of {@code n} tasks under new ids starting with {@code prefix}. */
    static LinkedHashMap<String, TaskSpec> batch(String prefix, int n) {
        LinkedHashMap<String, TaskSpec> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(
                    prefix + "-" + i,
                    TaskSpec.builder("job")
                            .image("busybox")
                            .label("batch", prefix)
                            .build());
        }
        return out;
    }

    static List<String> ids(Submission s) {
        return s.tasks().stream().map(Task::id).toList();
    }

    int taskCount() {
        return store.list(Set.of(), 1000).size();
    }

    @Test
    void theFirstSubmitStoresItsTasks() {
        Submission first = store.insertAll(batch("a", 3), "c1", T0, KEY);

        assertThat(first.replayed()).isFalse();
        assertThat(ids(first)).containsExactly("a-0", "a-1", "a-2");
        assertThat(first.tasks()).allSatisfy(t -> assertThat(t.cluster()).isEqualTo("c1"));
        assertThat(store.getAll(ids(first))).containsExactlyInAnyOrderElementsOf(first.tasks());
    }

    @Test
    void aRetryWithTheSameKeyAndRequestReturnsTheFirstTasksAndStoresNothing() {
        Submission first = store.insertAll(batch("a", 3), "c1", T0, KEY);
        store.claim("me", "c1", 1, T0.plusSeconds(1));

        Submission retry = store.insertAll(batch("b", 3), "c1", T0.plusSeconds(2), KEY);

        assertThat(retry.replayed()).isTrue();
        assertThat(ids(retry)).containsExactly("a-0", "a-1", "a-2");
        assertThat(retry.tasks().getFirst().state())
                .as("as the tasks are now")
                .isEqualTo(dev.drover.core.TaskState.LAUNCHING);
        assertThat(taskCount()).isEqualTo(3);
        assertThat(store.get("b-0")).isEmpty();
        assertThat(first.replayed()).isFalse();
    }

    @Test
    void theSameKeyForADifferentRequestIsAConflictAndStoresNothing() {
        store.insertAll(batch("a", 2), "", T0, KEY);

        assertThatThrownBy(() -> store.insertAll(
                        batch("b", 2), "", T0.plusSeconds(1), new IdempotencyKey("alice", "key-1", "hash-b")))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("idempotency key 'key-1' was used for a different request")
                .hasMessageContaining("use a new key");
        assertThat(taskCount()).isEqualTo(2);
    }

    @Test
    void keysOfDifferentPrincipalsNeverMeet() {
        store.insertAll(batch("a", 1), "", T0, KEY);

        Submission bob = store.insertAll(batch("b", 1), "", T0, new IdempotencyKey("bob", "key-1", "hash-b"));

        assertThat(bob.replayed()).isFalse();
        assertThat(ids(bob)).containsExactly("b-0");
    }

    @Test
    void aSubmitWhoseTaskIdExistsStoresNeitherTasksNorKey() {
        store.insert("a-1", TaskSpec.builder("x").image("busybox").build(), T0);

        assertThatThrownBy(() -> store.insertAll(batch("a", 2), "", T0, KEY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task ids exists already");

        Submission again = store.insertAll(batch("b", 2), "", T0, KEY);
        assertThat(again.replayed())
                .as("the key was rolled back with the tasks")
                .isFalse();
        assertThat(store.get("a-0")).isEmpty();
    }

    @Test
    void twoConcurrentSubmitsWithOneKeyOnTwoStoresStoreExactlyOneBatch() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TaskStore replica = db.open()) {
            for (int round = 0; round < 10; round++) {
                IdempotencyKey key = new IdempotencyKey("alice", "race-" + round, "h");
                CountDownLatch go = new CountDownLatch(1);
                String a = "r" + round + "a";
                String b = "r" + round + "b";
                Future<Submission> first = pool.submit(() -> {
                    go.await();
                    return store.insertAll(batch(a, 5), "", T0, key);
                });
                Future<Submission> second = pool.submit(() -> {
                    go.await();
                    return replica.insertAll(batch(b, 5), "", T0, key);
                });
                go.countDown();
                Submission x = first.get(30, TimeUnit.SECONDS);
                Submission y = second.get(30, TimeUnit.SECONDS);

                assertThat(List.of(x.replayed(), y.replayed())).containsExactlyInAnyOrder(true, false);
                assertThat(ids(x)).isEqualTo(ids(y)).hasSize(5);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(taskCount()).isEqualTo(10 * 5);
    }

    @Test
    void aSubmitThatMeetsItsKeyBeingStoredWaitsForThatTransactionAndReplaysIt() throws Exception {
        store.insertAll(batch("w", 2), "", T0, new IdempotencyKey("alice", "other", "h"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Handle winner = db.jdbi().open()) {
            // another replica's submit, inside its transaction: the key row written, not committed
            winner.begin();
            winner.execute(
                    "INSERT INTO submissions (principal, idem_key, request_hash, task_ids, created_at)"
                            + " VALUES ('alice', 'key-1', 'hash-a', 'w-1,w-0', ?)",
                    T0.toEpochMilli());
            Future<Submission> loser = pool.submit(() -> store.insertAll(batch("l", 2), "", T0, KEY));
            await().atMost(Duration.ofSeconds(10)).until(() -> db.lockWaiters() > 0);

            winner.commit();

            Submission replayed = loser.get(30, TimeUnit.SECONDS);
            assertThat(replayed.replayed()).isTrue();
            assertThat(ids(replayed)).containsExactly("w-1", "w-0");
            assertThat(store.get("l-0")).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSubmitThatMeetsItsKeyInATransactionThatRollsBackStoresItsOwn() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Handle other = db.jdbi().open()) {
            other.begin();
            other.execute(
                    "INSERT INTO submissions (principal, idem_key, request_hash, task_ids, created_at)"
                            + " VALUES ('alice', 'key-1', 'hash-a', 'x-0', ?)",
                    T0.toEpochMilli());
            Future<Submission> waiting = pool.submit(() -> store.insertAll(batch("l", 1), "", T0, KEY));
            await().atMost(Duration.ofSeconds(10)).until(() -> db.lockWaiters() > 0);

            other.rollback();

            Submission own = waiting.get(30, TimeUnit.SECONDS);
            assertThat(own.replayed()).isFalse();
            assertThat(ids(own)).containsExactly("l-0");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void expiredKeysAreForgottenAndYoungerOnesKept() {
        store.insertAll(batch("old", 1), "", T0, new IdempotencyKey("alice", "old", "h"));
        store.insertAll(batch("new", 1), "", T0.plusSeconds(3600), new IdempotencyKey("alice", "new", "h"));

        assertThat(store.expireSubmissions(T0.plusSeconds(1))).isEqualTo(1);

        assertThat(store.insertAll(batch("old2", 1), "", T0, new IdempotencyKey("alice", "old", "h"))
                        .replayed())
                .isFalse();
        assertThat(store.insertAll(batch("new2", 1), "", T0, new IdempotencyKey("alice", "new", "h"))
                        .replayed())
                .isTrue();
    }

    @Test
    void aKeyIsCheckedNamingThePart() {
        assertThatThrownBy(() -> new IdempotencyKey("a", "", "h")).hasMessageStartingWith("idempotency key must be");
        assertThatThrownBy(() -> new IdempotencyKey("a", "k\n", "h")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> new IdempotencyKey("a", "k", "")).hasMessageStartingWith("requestHash");
    }
}
