package dev.drover.core.store;

import dev.drover.core.FailureDetails;
import dev.drover.core.Replica;
import dev.drover.core.ReplicaState;
import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The durable record of tasks and every state change. One implementation ({@code JdbcTaskStore})
 * runs the same SQL on H2 (embedded file, the default) and PostgreSQL.
 *
 * <p>Every state change is a compare-and-set on (state, tryNumber), so two actors (a scheduler
 * and a cancel, or two replicas) never both win the same change.
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Stores a new task of {@code cluster} in QUEUED with try 1 and records the submission
     * transition. Cluster {@code ""}: any worker may run it.
     */
    default Task insert(String id, TaskSpec spec, String cluster, Instant now) {
        java.util.LinkedHashMap<String, TaskSpec> one = new java.util.LinkedHashMap<>();
        one.put(id, spec);
        return insertAll(one, cluster, now).getFirst();
    }

    /** A task of no particular cluster: {@code insert(id, spec, "", now)}. */
    default Task insert(String id, TaskSpec spec, Instant now) {
        return insert(id, spec, "", now);
    }

    /**
     * Stores many new tasks in one transaction (in the map's order), as {@link #insert} does one:
     * all or none. Throws {@link IllegalArgumentException} if an id exists already.
     */
    List<Task> insertAll(java.util.SequencedMap<String, TaskSpec> specsById, String cluster, Instant now);

    /** Tasks of no particular cluster. */
    default List<Task> insertAll(java.util.SequencedMap<String, TaskSpec> specsById, Instant now) {
        return insertAll(specsById, "", now);
    }

    /**
     * Stores many new tasks as {@link #insertAll(java.util.SequencedMap, String, Instant)} does, once
     * per idempotency key: the (principal, key) is recorded in the same transaction. When it was
     * recorded before with the same request hash, nothing is stored and the earlier tasks are
     * returned (as they are now, in their order; {@link Submission#replayed()}); with another hash
     * it throws {@link IdempotencyConflictException}. Of concurrent calls with one key, on one store
     * or several on one database, exactly one stores its tasks; the others replay them.
     */
    Submission insertAll(
            java.util.SequencedMap<String, TaskSpec> specsById, String cluster, Instant now, IdempotencyKey key);

    /**
     * Forgets the idempotency keys recorded before {@code before} (a submit with one of them again
     * stores new tasks); returns how many. Keys are meant to be kept 24 hours.
     */
    int expireSubmissions(Instant before);

    Optional<Task> get(String id);

    /** The tasks of these ids that exist, in no particular order. */
    List<Task> getAll(java.util.Collection<String> ids);

    /** Newest first; {@code states} empty means all. */
    List<Task> list(Set<TaskState> states, int limit);

    /**
     * A page of the tasks {@code query} selects, newest first (created_at, then insertion order, as
     * {@link #list}), starting after its cursor. Every filter reads an index; pages are found by
     * their cursor, so a page deep in a large store costs what the first does. A task submitted
     * while one pages through appears on no later page (it is newer than the cursor).
     *
     * @throws IllegalArgumentException a bad {@code labelSelector} or {@code cursor}, named
     */
    TaskPage query(TaskQuery query);

    /**
     * The change feed: up to {@code limit} state changes with an id above {@code afterId}, in id
     * order, from every replica on the store. Resume with the last id seen ({@code 0}: from the
     * start).
     *
     * <p>What is committed is returned. Ids come from an identity column: on PostgreSQL, concurrent
     * transactions may commit a higher id before a lower one, so a lower id can become visible
     * after a higher one was returned (a gap that fills later). The caller handles such gaps, e.g.
     * by reading again a little behind its position.
     */
    List<TaskChange> changesAfter(long afterId, int limit);

    /** The id of the newest state change ({@code 0}: none): where a feed that wants only new changes starts. */
    long lastChangeId();

    /**
     * Claims up to {@code max} tasks of {@code cluster} (or of none, {@code ""}) that are QUEUED or
     * UP_FOR_RETRY with {@code nextAttemptAt <= now} and no cancel request, oldest first, moving
     * them to LAUNCHING owned by {@code owner} (a retry raises tryNumber) and recording the pod name
     * of the try ({@code TaskIds.podName}). Concurrent claimers never get the same task (FOR UPDATE
     * SKIP LOCKED).
     */
    List<Task> claim(String owner, String cluster, int max, Instant now);

    /** Claims among tasks of no particular cluster only. */
    default List<Task> claim(String owner, int max, Instant now) {
        return claim(owner, "", max, now);
    }

    /**
     * Claims, as {@link #claim} does, only among {@code ids}: a scheduler that runs just the tasks
     * it was handed (e.g. {@code drover run --wait}), never the shared queue.
     */
    List<Task> claimIds(String owner, String cluster, java.util.Collection<String> ids, Instant now);

    /**
     * Moves a task from one of {@code from} to {@code to} if it is still at {@code tryNumber};
     * records the transition. Returns the updated task, or empty when the compare failed.
     *
     * @param failure stored with the task when not null
     * @param nextAttemptAt stored when not null (for UP_FOR_RETRY)
     */
    default Optional<Task> transition(
            String id,
            int tryNumber,
            Set<TaskState> from,
            TaskState to,
            String reason,
            @Nullable FailureDetails failure,
            @Nullable Instant nextAttemptAt,
            Instant now) {
        return transitionAll(
                        List.of(new TransitionRequest(id, tryNumber, from, to, reason, failure, nextAttemptAt, now)))
                .getFirst();
    }

    /**
     * Several {@link #transition}s in one database transaction, applied in order (a later one sees
     * what an earlier one changed), each with its own compare-and-set: one that does not match
     * gives empty and leaves the others alone. One commit for many changes: how a busy scheduler
     * keeps up with its pods' news.
     */
    List<Optional<Task>> transitionAll(List<TransitionRequest> requests);

    /** Marks a cancel request; returns false if the task is unknown or already terminal. */
    boolean requestCancel(String id, Instant now);

    /** Tasks owned by {@code owner} in LAUNCHING, PENDING or RUNNING (for restart reconciliation). */
    List<Task> active(String owner);

    /** Tasks with a cancel request that are not terminal yet. */
    List<Task> cancelRequested();

    /** Counts by state (for metrics and the parallelism limit). */
    java.util.Map<TaskState, Long> countByState();

    List<Transition> transitions(String id);

    // --- replicas: several schedulers on one store

    /**
     * Registers a replica as running (again, for an id whose replica ended or was declared dead).
     * Throws {@link IllegalArgumentException} when the id belongs to a replica that is alive.
     */
    Replica registerReplica(String id, String host, String version, Duration aliveThreshold);

    /**
     * Records a heartbeat by the store's clock. False when the replica is no longer running in the
     * store: it was stopped, or declared dead by a live replica (which may have taken its tasks).
     */
    boolean heartbeat(String replicaId);

    void setReplicaState(String replicaId, ReplicaState state);

    /**
     * Marks a replica whose last heartbeat is older than {@code aliveThreshold} as stopped, so it
     * can never heartbeat on; false when it is alive (or stopped) after all.
     */
    boolean declareDead(String replicaId, Duration aliveThreshold);

    /** Every replica the store knows, oldest first, with its heartbeat age and liveness by the store's clock. */
    List<Replica> replicas(Duration aliveThreshold);

    /**
     * Moves up to {@code max} of the in-flight tasks owned by {@code from} to {@code heir} (an owner
     * compare-and-set each: of several heirs at once, each task goes to exactly one) and returns
     * those it moved. The tries keep their state; the heir resumes them.
     */
    List<Task> takeOver(String from, String heir, int max, Instant now);

    // --- container logs

    /**
     * The container logs archived in this store's database, on its connection pool (closed with the
     * store).
     */
    LogArchive logs();

    @Override
    void close();
}
