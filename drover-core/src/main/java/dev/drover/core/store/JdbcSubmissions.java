package dev.drover.core.store;

import static java.util.Objects.requireNonNull;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Idempotent submits: table {@code submissions}, one row per (principal, key), written in the
 * transaction of its tasks. Its primary key decides between concurrent submits with one key: the
 * second insert waits for the first transaction (PostgreSQL and H2 both hold the new key's row
 * lock) and fails with a unique violation once it committed; the loser rolls back and replays the
 * winner's tasks.
 */
final class JdbcSubmissions {
    /** How often a submit whose key was taken concurrently reads again before it gives up. */
    private static final int ATTEMPTS = 5;

    private final Jdbi jdbi;
    private final TaskStore store;

    JdbcSubmissions(Jdbi jdbi, TaskStore store) {
        this.jdbi = jdbi;
        this.store = store;
    }

    private record Earlier(String requestHash, List<String> taskIds, Instant createdAt) {}

    /** Thrown inside the transaction when another submit holds the key: rolls back, then replays. */
    private static final class KeyTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KeyTaken(Throwable cause) {
            super(cause);
        }
    }

    Submission insertAll(SequencedMap<String, TaskSpec> specsById, String cluster, Instant now, IdempotencyKey key) {
        requireNonNull(cluster, "cluster");
        requireNonNull(key, "key");
        long at = now.toEpochMilli();
        String ids = String.join(",", specsById.keySet());
        specsById.keySet().forEach(id -> {
            if (requireNonNull(id, "id").contains(",")) {
                throw new IllegalArgumentException("task id '" + id + "' has a comma; use TaskIds.next()");
            }
        });
        for (int attempt = 1; ; attempt++) {
            Optional<Earlier> earlier = find(key);
            if (earlier.isPresent()) {
                return replay(key, earlier.get());
            }
            try {
                jdbi.useTransaction(h -> {
                    try {
                        h.createUpdate("INSERT INTO submissions (principal, idem_key, request_hash, task_ids,"
                                        + " created_at) VALUES (:principal, :key, :hash, :ids, :at)")
                                .bind("principal", key.principal())
                                .bind("key", key.key())
                                .bind("hash", key.requestHash())
                                .bind("ids", ids)
                                .bind("at", at)
                                .execute();
                    } catch (JdbiException e) {
                        if (JdbcTaskStore.isDuplicateKey(e)) {
                            throw new KeyTaken(e);
                        }
                        throw e;
                    }
                    if (!specsById.isEmpty()) {
                        TaskInserts.insert(h, specsById, cluster, at);
                    }
                });
                return new Submission(TaskInserts.stored(specsById, cluster, at), false);
            } catch (KeyTaken e) {
                if (attempt >= ATTEMPTS) { // the winner's row never became readable: say so, store nothing
                    throw new IllegalStateException(
                            "idempotency key '" + key.key() + "' is being used by another submit that has not"
                                    + " finished; try again",
                            e.getCause());
                }
            } catch (JdbiException e) {
                if (JdbcTaskStore.isDuplicateKey(e)) {
                    throw TaskInserts.idExists(specsById, e);
                }
                throw e;
            }
        }
    }

    private Optional<Earlier> find(IdempotencyKey key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT request_hash, task_ids, created_at FROM submissions"
                        + " WHERE principal = :principal AND idem_key = :key")
                .bind("principal", key.principal())
                .bind("key", key.key())
                .map((rs, ctx) -> {
                    String ids = rs.getString("task_ids");
                    return new Earlier(
                            rs.getString("request_hash"),
                            ids.isEmpty() ? List.of() : Arrays.asList(ids.split(",")),
                            Instant.ofEpochMilli(rs.getLong("created_at")));
                })
                .findOne());
    }

    /** The earlier submit's tasks in its order, as they are now. */
    private Submission replay(IdempotencyKey key, Earlier earlier) {
        if (!earlier.requestHash().equals(key.requestHash())) {
            throw new IdempotencyConflictException(key, earlier.createdAt());
        }
        Map<String, Task> byId =
                store.getAll(earlier.taskIds()).stream().collect(Collectors.toMap(Task::id, Function.identity()));
        List<Task> tasks = new ArrayList<>(earlier.taskIds().size());
        for (String id : earlier.taskIds()) {
            Task t = byId.get(id);
            if (t != null) { // a task deleted since is left out
                tasks.add(t);
            }
        }
        return new Submission(tasks, true);
    }

    int expire(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM submissions WHERE created_at < :before")
                .bind("before", before.toEpochMilli())
                .execute());
    }
}
