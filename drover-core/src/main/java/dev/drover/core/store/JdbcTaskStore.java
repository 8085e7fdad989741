package dev.drover.core.store;

import static java.util.Objects.requireNonNull;

import dev.drover.core.task.FailureDetails;
import dev.drover.core.task.Task;
import dev.drover.core.task.TaskSpec;
import dev.drover.core.task.TaskState;
import dev.drover.core.task.Transition;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@link TaskStore} on JDBC: the same SQL on H2 ({@code MODE=PostgreSQL}) and PostgreSQL, so
 * nothing here may use {@code RETURNING} or {@code ON CONFLICT ... DO UPDATE}. Open one through
 * {@link TaskStores}.
 *
 * <p>Every state change locks the task's row, checks (state, tryNumber), updates it and writes a
 * {@code task_transitions} row in one transaction; the row lock orders a task's transitions. A task
 * moved back to QUEUED or UP_FOR_RETRY loses its owner (it is in the shared queue again); a claimed
 * retry starts without a pod name.
 */
final class JdbcTaskStore implements TaskStore {
    private static final Set<TaskState> CLAIMABLE = EnumSet.of(TaskState.QUEUED, TaskState.UP_FOR_RETRY);
    private static final Set<TaskState> ACTIVE = EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);
    private static final Set<TaskState> TERMINAL =
            EnumSet.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED);
    private static final String SUBMITTED = "submitted";
    /** What claim looks for: waiting, due and not to be cancelled. Binds {@code :now}. */
    private static final String DUE =
            "state IN (" + literals(CLAIMABLE) + ") AND next_attempt_at <= :now AND NOT cancel_requested";
    /**
     * The ids of the oldest {@code :window} due tasks per waiting state. One state per branch so the
     * index on (state, created_at, seq) gives the order and the scan stops early.
     */
    private static final String OLDEST_DUE = CLAIMABLE.stream()
            .map(s -> "(SELECT id FROM tasks WHERE state = '" + s.name() + "' AND next_attempt_at <= :now"
                    + " AND NOT cancel_requested ORDER BY state, created_at, seq LIMIT :window)")
            .collect(Collectors.joining(" UNION ALL "));

    private final Jdbi jdbi;
    private final AutoCloseable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param onClose releases the data source (pool, in-memory database); may be null */
    JdbcTaskStore(DataSource dataSource, AutoCloseable onClose) {
        this.jdbi = Jdbi.create(dataSource);
        this.onClose = onClose;
    }

    @Override
    public Task insert(String id, TaskSpec spec, Instant now) {
        requireNonNull(id, "id");
        requireNonNull(spec, "spec");
        long at = now.toEpochMilli();
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("INSERT INTO tasks (id, name, namespace, spec, state, try_number, reason,"
                                + " cancel_requested, created_at, updated_at, next_attempt_at)"
                                + " VALUES (:id, :name, :namespace, :spec, :state, 1, :reason, FALSE, :at, :at, :at)")
                        .bind("id", id)
                        .bind("name", spec.name())
                        .bind("namespace", spec.namespace())
                        .bind("spec", TaskJson.write(spec))
                        .bind("state", TaskState.QUEUED.name())
                        .bind("reason", SUBMITTED)
                        .bind("at", at)
                        .execute();
                insertTransition(h, id, 1, null, TaskState.QUEUED, at, SUBMITTED);
            });
        } catch (JdbiException e) {
            if (isDuplicateKey(e)) {
                throw new IllegalArgumentException(
                        "task " + id + " already exists; submit it under a new id (TaskIds.next())", e);
            }
            throw e;
        }
        Instant stored = Instant.ofEpochMilli(at);
        return new Task(id, spec, TaskState.QUEUED, 1, null, SUBMITTED, null, null, false, stored, stored, stored);
    }

    @Override
    public Optional<Task> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE id = :id")
                .bind("id", id)
                .map(TaskRows.TASK)
                .findOne());
    }

    @Override
    public List<Task> list(Set<TaskState> states, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " must not be negative");
        }
        String where = states == null || states.isEmpty() ? "" : " WHERE state IN (" + literals(states) + ")";
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks" + where
                        + " ORDER BY created_at DESC, seq DESC LIMIT :limit")
                .bind("limit", limit)
                .map(TaskRows.TASK)
                .list());
    }

    @Override
    public List<Task> claim(String owner, int max, Instant now) {
        requireNonNull(owner, "owner");
        if (max <= 0) {
            return List.of();
        }
        long at = now.toEpochMilli();
        String reason = "claimed by " + owner;
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            // Two steps because H2 locks every row that matches a FOR UPDATE before it sorts and
            // limits: with a backlog of thousands one claim would lock (and scan) them all. So first
            // read the oldest few due tasks of each waiting state without locks, walking the claim
            // index in order, then lock among those only. The window leaves room for the rows
            // concurrent claimers hold (SKIP LOCKED passes over them, never waits).
            List<String> window = h.createQuery(OLDEST_DUE)
                    .bind("now", at)
                    .bind("window", claimWindow(max))
                    .mapTo(String.class)
                    .list();
            if (window.isEmpty()) {
                return List.of();
            }
            // The condition again: a task in the window may have been claimed or cancelled since.
            List<Claimable> candidates = h.createQuery("SELECT id, state, try_number FROM tasks"
                            + " WHERE id IN (<window>) AND " + DUE
                            + " ORDER BY created_at, seq LIMIT :max FOR UPDATE SKIP LOCKED")
                    .bindList("window", window)
                    .bind("now", at)
                    .bind("max", max)
                    .map((rs, ctx) -> new Claimable(
                            rs.getString("id"), TaskState.valueOf(rs.getString("state")), rs.getInt("try_number")))
                    .list();
            if (candidates.isEmpty()) {
                return List.of();
            }
            // Compare-and-set on what was read, so a row changed in between is left alone.
            PreparedBatch update = h.prepareBatch("UPDATE tasks SET state = :to, owner = :owner, reason = :reason,"
                    + " try_number = :newTry, pod_name = CASE WHEN :retry THEN NULL ELSE pod_name END,"
                    + " updated_at = :now WHERE id = :id AND state = :from AND try_number = :try");
            for (Claimable c : candidates) {
                update.bind("to", TaskState.LAUNCHING.name())
                        .bind("owner", owner)
                        .bind("reason", reason)
                        .bind("newTry", c.nextTry())
                        .bind("retry", c.isRetry())
                        .bind("now", at)
                        .bind("id", c.id())
                        .bind("from", c.state().name())
                        .bind("try", c.tryNumber())
                        .add();
            }
            int[] counts = update.execute();
            List<String> claimed = new ArrayList<>();
            PreparedBatch transitions = transitionBatch(h);
            for (int i = 0; i < candidates.size(); i++) {
                if (counts[i] == 1) {
                    Claimable c = candidates.get(i);
                    claimed.add(c.id());
                    addTransition(transitions, c.id(), c.nextTry(), c.state(), TaskState.LAUNCHING, at, reason);
                }
            }
            if (claimed.isEmpty()) {
                return List.of();
            }
            transitions.execute();
            return h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE id IN (<ids>)"
                            + " ORDER BY created_at, seq")
                    .bindList("ids", claimed)
                    .map(TaskRows.TASK)
                    .list();
        });
    }

    @Override
    public Optional<Task> transition(
            String id,
            int tryNumber,
            Set<TaskState> from,
            TaskState to,
            String reason,
            FailureDetails failure,
            Instant nextAttemptAt,
            Instant now) {
        requireNonNull(to, "to");
        if (from == null || from.isEmpty()) {
            return Optional.empty();
        }
        long at = now.toEpochMilli();
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            // `state IN (from)` is also the terminal guard: a finished task moves only when the
            // caller names its terminal state in `from`.
            Optional<Task> current = h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks"
                            + " WHERE id = :id AND try_number = :try AND state IN (" + literals(from) + ")"
                            + " FOR UPDATE")
                    .bind("id", id)
                    .bind("try", tryNumber)
                    .map(TaskRows.TASK)
                    .findOne();
            if (current.isEmpty()) {
                return Optional.<Task>empty();
            }
            Task old = current.get();
            FailureDetails newFailure = failure != null ? failure : old.failure();
            Instant newNext = nextAttemptAt != null ? TaskRows.stored(nextAttemptAt) : old.nextAttemptAt();
            String newOwner = CLAIMABLE.contains(to) ? null : old.owner();
            int updated = h.createUpdate("UPDATE tasks SET state = :to, reason = :reason,"
                            + " failure = COALESCE(:failure, failure), next_attempt_at = :next, owner = :owner,"
                            + " updated_at = :now WHERE id = :id AND try_number = :try AND state = :from")
                    .bind("to", to.name())
                    .bind("reason", reason)
                    .bind("failure", TaskJson.write(failure))
                    .bind("next", newNext.toEpochMilli())
                    .bind("owner", newOwner)
                    .bind("now", at)
                    .bind("id", id)
                    .bind("try", tryNumber)
                    .bind("from", old.state().name())
                    .execute();
            if (updated != 1) {
                return Optional.<Task>empty();
            }
            insertTransition(h, id, tryNumber, old.state(), to, at, reason);
            return Optional.of(new Task(
                    id,
                    old.spec(),
                    to,
                    tryNumber,
                    old.podName(),
                    reason,
                    newFailure,
                    newOwner,
                    old.cancelRequested(),
                    old.createdAt(),
                    Instant.ofEpochMilli(at),
                    newNext));
        });
    }

    @Override
    public void setPodName(String id, int tryNumber, String podName, Instant now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE tasks SET pod_name = :pod, updated_at = :now WHERE id = :id AND try_number = :try")
                .bind("pod", podName)
                .bind("now", now.toEpochMilli())
                .bind("id", id)
                .bind("try", tryNumber)
                .execute());
    }

    @Override
    public boolean requestCancel(String id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET cancel_requested = TRUE, updated_at = :now"
                                + " WHERE id = :id AND state NOT IN (" + literals(TERMINAL) + ")")
                        .bind("now", now.toEpochMilli())
                        .bind("id", id)
                        .execute())
                == 1;
    }

    @Override
    public List<Task> active(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks"
                        + " WHERE owner = :owner AND state IN (" + literals(ACTIVE) + ") ORDER BY created_at, seq")
                .bind("owner", owner)
                .map(TaskRows.TASK)
                .list());
    }

    @Override
    public List<Task> cancelRequested() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks"
                        + " WHERE cancel_requested AND state NOT IN (" + literals(TERMINAL) + ")"
                        + " ORDER BY created_at, seq")
                .map(TaskRows.TASK)
                .list());
    }

    /** Every state, zero included, in declaration order. */
    @Override
    public Map<TaskState, Long> countByState() {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            counts.put(s, 0L);
        }
        jdbi.useHandle(h -> h.createQuery("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state")
                .map((rs, ctx) -> Map.entry(TaskState.valueOf(rs.getString("state")), rs.getLong("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue())));
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public List<Transition> transitions(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TRANSITION_COLUMNS
                        + " FROM task_transitions WHERE task_id = :id ORDER BY id")
                .bind("id", id)
                .map(TaskRows.TRANSITION)
                .list());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && onClose != null) {
            try {
                onClose.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the task store failed: " + e.getMessage(), e);
            }
        }
    }

    /** How many of the oldest due tasks a claim of {@code max} considers. */
    static int claimWindow(int max) {
        return (int) Math.min(Integer.MAX_VALUE, 4L * max + 16);
    }

    private static void insertTransition(
            Handle h, String id, int tryNumber, TaskState from, TaskState to, long at, String reason) {
        PreparedBatch batch = transitionBatch(h);
        addTransition(batch, id, tryNumber, from, to, at, reason);
        batch.execute();
    }

    private static PreparedBatch transitionBatch(Handle h) {
        return h.prepareBatch("INSERT INTO task_transitions (task_id, try_number, from_state, to_state, at, reason)"
                + " VALUES (:id, :try, :from, :to, :at, :reason)");
    }

    private static void addTransition(
            PreparedBatch batch, String id, int tryNumber, TaskState from, TaskState to, long at, String reason) {
        batch.bind("id", id)
                .bind("try", tryNumber)
                .bind("from", from == null ? null : from.name())
                .bind("to", to.name())
                .bind("at", at)
                .bind("reason", reason)
                .add();
    }

    /** SQL literals of enum names: safe to inline, and lets the planner see the constants. */
    private static String literals(Set<TaskState> states) {
        return states.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    }

    private static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A row the claim query locked, as it was read. */
    private record Claimable(String id, TaskState state, int tryNumber) {
        boolean isRetry() {
            return state == TaskState.UP_FOR_RETRY;
        }

        int nextTry() {
            return isRetry() ? tryNumber + 1 : tryNumber;
        }
    }
}
