package dev.drover.core.store;

import static java.util.Objects.requireNonNull;

import dev.drover.core.FailureDetails;
import dev.drover.core.Replica;
import dev.drover.core.ReplicaState;
import dev.drover.core.Task;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@link TaskStore} on JDBC: the same SQL on H2 ({@code MODE=PostgreSQL}) and PostgreSQL, so
 * nothing here may use {@code RETURNING} or {@code ON CONFLICT ... DO UPDATE}. Open one through
 * {@link TaskStores}.
 *
 * <p>Every state change locks the task's row, checks (state, tryNumber), updates it and writes a
 * {@code task_transitions} row in one transaction; the row lock orders a task's transitions. A task
 * moved back to QUEUED or UP_FOR_RETRY loses its owner (it is in the shared queue again); a claimed
 * task records the name of its try's pod (deterministic, so known before the create).
 */
final class JdbcTaskStore implements TaskStore {
    private static final Set<TaskState> CLAIMABLE = EnumSet.of(TaskState.QUEUED, TaskState.UP_FOR_RETRY);
    private static final Set<TaskState> ACTIVE = EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);
    private static final Set<TaskState> TERMINAL =
            EnumSet.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED);
    private static final Set<TaskState> NOT_TERMINAL = EnumSet.complementOf(EnumSet.copyOf(TERMINAL));
    /**
     * The ids of the oldest {@code :window} due tasks per waiting state. One state per branch so the
     * index on (state, created_at, seq) gives the order and the scan stops early.
     */
    private static final String OLDEST_DUE = CLAIMABLE.stream()
            .flatMap(s -> java.util.stream.Stream.of(":cluster", "''")
                    .map(c -> "(SELECT id, created_at, seq FROM tasks WHERE state = '" + s.name() + "' AND cluster = "
                            + c + " AND next_attempt_at <= :now AND NOT cancel_requested"
                            + " ORDER BY state, cluster, created_at, seq LIMIT :window)"))
            .collect(Collectors.joining(" UNION ALL "));
    /** Locks one task of the window if it is still due and nobody else holds it. */
    private static final String LOCK_IF_DUE = "SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE id = ? AND"
            + " state IN (" + literals(CLAIMABLE) + ") AND next_attempt_at <= ? AND NOT cancel_requested"
            + " AND cluster IN (?, '') FOR UPDATE SKIP LOCKED";

    private final Jdbi jdbi;
    /** Rows to tasks; a task's spec never changes, so each is parsed once (a bounded cache by id). */
    private final RowMapper<Task> taskRows = TaskRows.tasks(20_000);

    private final AutoCloseable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param onClose releases the data source (pool, in-memory database); may be null */
    JdbcTaskStore(DataSource dataSource, AutoCloseable onClose) {
        this.jdbi = Jdbi.create(dataSource);
        this.onClose = onClose;
        this.replicas = new JdbcReplicas(jdbi, taskRows);
        this.logs = new JdbcLogArchive(jdbi, java.time.Clock.systemUTC());
        this.queries = new JdbcTaskQueries(jdbi, taskRows);
        this.submissions = new JdbcSubmissions(jdbi, this);
    }

    private final JdbcTaskQueries queries;
    private final JdbcSubmissions submissions;

    private final JdbcReplicas replicas;
    private final JdbcLogArchive logs;

    @Override
    public LogArchive logs() {
        return logs;
    }

    @Override
    public Replica registerReplica(String id, String host, String version, Duration aliveThreshold) {
        try {
            return replicas.register(id, host, version, aliveThreshold);
        } catch (JdbiException e) {
            if (isDuplicateKey(e)) { // another process registered the same new id at the same moment
                throw new IllegalArgumentException(
                        "schedulerId '" + id + "' is in use by a replica that just started;"
                                + " choose another schedulerId",
                        e);
            }
            throw e;
        }
    }

    @Override
    public boolean heartbeat(String replicaId) {
        return replicas.heartbeat(replicaId);
    }

    @Override
    public void setReplicaState(String replicaId, ReplicaState state) {
        replicas.setState(replicaId, state);
    }

    @Override
    public boolean declareDead(String replicaId, Duration aliveThreshold) {
        return replicas.declareDead(replicaId, aliveThreshold);
    }

    @Override
    public List<Replica> replicas(Duration aliveThreshold) {
        return replicas.all(aliveThreshold);
    }

    @Override
    public List<Task> takeOver(String from, String heir, int max, Instant now) {
        return replicas.takeOver(from, heir, max, now);
    }

    @Override
    public List<Task> insertAll(java.util.SequencedMap<String, TaskSpec> specsById, String cluster, Instant now) {
        requireNonNull(cluster, "cluster");
        if (specsById.isEmpty()) {
            return List.of();
        }
        long at = now.toEpochMilli();
        try {
            jdbi.useTransaction(h -> TaskInserts.insert(h, specsById, cluster, at));
        } catch (JdbiException e) {
            if (isDuplicateKey(e)) {
                throw TaskInserts.idExists(specsById, e);
            }
            throw e;
        }
        return TaskInserts.stored(specsById, cluster, at);
    }

    @Override
    public Submission insertAll(
            java.util.SequencedMap<String, TaskSpec> specsById, String cluster, Instant now, IdempotencyKey key) {
        return submissions.insertAll(specsById, cluster, now, key);
    }

    @Override
    public int expireSubmissions(Instant before) {
        return submissions.expire(before);
    }

    @Override
    public TaskPage query(TaskQuery query) {
        return queries.query(query);
    }

    @Override
    public List<TaskChange> changesAfter(long afterId, int limit) {
        return queries.changesAfter(afterId, limit);
    }

    @Override
    public long lastChangeId() {
        return queries.lastChangeId();
    }

    @Override
    public Optional<Task> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE id = :id")
                .bind("id", id)
                .map(taskRows)
                .findOne());
    }

    @Override
    public List<Task> getAll(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Task> out = new ArrayList<>(ids.size());
        List<String> all = List.copyOf(ids);
        // In chunks: one statement's parameters stay far below PostgreSQL's limit.
        for (int i = 0; i < all.size(); i += 500) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + 500));
            out.addAll(jdbi.withHandle(
                    h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE id IN (<ids>)")
                            .bindList("ids", chunk)
                            .map(taskRows)
                            .list()));
        }
        return out;
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
                .map(taskRows)
                .list());
    }

    @Override
    public List<Task> claim(String owner, String cluster, int max, Instant now) {
        requireNonNull(owner, "owner");
        requireNonNull(cluster, "cluster");
        if (max <= 0) {
            return List.of();
        }
        try {
            return claimIn(owner, cluster, max, now.toEpochMilli(), null);
        } catch (SQLException e) {
            throw new IllegalStateException("claiming failed: " + e, e);
        }
    }

    @Override
    public List<Task> claimIds(String owner, String cluster, java.util.Collection<String> ids, Instant now) {
        requireNonNull(owner, "owner");
        requireNonNull(cluster, "cluster");
        if (ids.isEmpty()) {
            return List.of();
        }
        try {
            return claimIn(owner, cluster, ids.size(), now.toEpochMilli(), List.copyOf(ids));
        } catch (SQLException e) {
            throw new IllegalStateException("claiming failed: " + e, e);
        }
    }

    /** @param only the ids to claim among, or null for the oldest due tasks of the queue */
    private List<Task> claimIn(String owner, String cluster, int max, long at, List<String> only) throws SQLException {
        String reason = "claimed by " + owner;
        // Two steps because H2 locks every row that matches a FOR UPDATE before it sorts and
        // limits: with a backlog of thousands one claim would lock (and scan) them all. So first
        // read the oldest few due tasks of each waiting state without locks, walking the claim
        // index in order, then lock those one by one, oldest first, until there are enough. The
        // window leaves room for the rows concurrent claimers hold (SKIP LOCKED passes over them,
        // never waits). One point lookup per row: an `id IN (<window>)` list is re-checked row by
        // row against the whole list, which made claims quadratic in the window.
        // The window is read outside the transaction (it takes no locks): an idle queue costs one
        // statement, no BEGIN/COMMIT.
        List<String> window = only != null
                ? only
                : jdbi.withHandle(h -> h
                        .createQuery(OLDEST_DUE)
                        .bind("now", at)
                        .bind("cluster", cluster)
                        .bind("window", claimWindow(max))
                        .map((rs, ctx) ->
                                new Object[] {rs.getString("id"), rs.getLong("created_at"), rs.getLong("seq")})
                        .stream()
                        .sorted(java.util.Comparator.<Object[]>comparingLong(r -> (Long) r[1])
                                .thenComparingLong(r -> (Long) r[2]))
                        .map(r -> (String) r[0])
                        .distinct() // a claimer of no particular cluster reads the '' branches twice
                        .toList());
        if (window.isEmpty()) {
            return List.of();
        }
        return jdbi.inTransaction(h -> {
            // The condition again, per row: a task in the window may have been claimed or cancelled
            // since. Whole rows: the claimed tasks are built from them, with no read after the update.
            List<Task> candidates = new ArrayList<>();
            try (PreparedStatement lock = h.getConnection().prepareStatement(LOCK_IF_DUE)) {
                for (String id : window) {
                    if (candidates.size() >= max) {
                        break;
                    }
                    lock.setString(1, id);
                    lock.setLong(2, at);
                    lock.setString(3, cluster);
                    try (ResultSet rs = lock.executeQuery()) {
                        if (rs.next()) {
                            candidates.add(taskRows.map(rs, null));
                        }
                    }
                }
            }
            if (candidates.isEmpty()) {
                return List.of();
            }
            // Compare-and-set on what was read, so a row changed in between is left alone.
            PreparedBatch update = h.prepareBatch("UPDATE tasks SET state = :to, owner = :owner, reason = :reason,"
                    + " try_number = :newTry, pod_name = :pod,"
                    + " updated_at = :now WHERE id = :id AND state = :from AND try_number = :try");
            for (Task c : candidates) {
                int nextTry = nextTry(c);
                update.bind("to", TaskState.LAUNCHING.name())
                        .bind("owner", owner)
                        .bind("reason", reason)
                        .bind("newTry", nextTry)
                        .bind("pod", TaskIds.podName(c.spec().name(), c.id(), nextTry))
                        .bind("now", at)
                        .bind("id", c.id())
                        .bind("from", c.state().name())
                        .bind("try", c.tryNumber())
                        .add();
            }
            int[] counts = update.execute();
            List<Task> claimed = new ArrayList<>();
            PreparedBatch transitions = transitionBatch(h);
            for (int i = 0; i < candidates.size(); i++) {
                if (counts[i] == 1) {
                    Task c = candidates.get(i);
                    int nextTry = nextTry(c);
                    claimed.add(new Task(
                            c.id(),
                            c.spec(),
                            c.cluster(),
                            TaskState.LAUNCHING,
                            nextTry,
                            TaskIds.podName(c.spec().name(), c.id(), nextTry),
                            reason,
                            c.failure(),
                            owner,
                            c.cancelRequested(),
                            c.createdAt(),
                            Instant.ofEpochMilli(at),
                            c.nextAttemptAt(),
                            c.infraFailures()));
                    addTransition(transitions, c.id(), nextTry, c.state(), TaskState.LAUNCHING, at, reason);
                }
            }
            if (!claimed.isEmpty()) {
                transitions.execute();
            }
            return claimed;
        });
    }

    @Override
    public List<Optional<Task>> transitionAll(List<TransitionRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        // Plain JDBC with each statement prepared once for the whole batch: this is the hot path of a
        // busy scheduler (three transitions per task), and per-statement overhead is most of its cost.
        try {
            return jdbi.inTransaction(h -> {
                Connection c = h.getConnection();
                List<Optional<Task>> out = new ArrayList<>(requests.size());
                try (PreparedStatement select = c.prepareStatement(SELECT_FOR_TRANSITION);
                        PreparedStatement update = c.prepareStatement(UPDATE_FOR_TRANSITION);
                        PreparedStatement insert = c.prepareStatement(INSERT_TRANSITION)) {
                    for (TransitionRequest r : requests) {
                        out.add(transitionIn(select, update, insert, r));
                    }
                    insert.executeBatch();
                }
                return out;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("recording " + requests.size() + " state change(s) failed: " + e, e);
        }
    }

    private static final int MAX_FROM = TaskState.values().length;
    /** `state IN (from)` is also the terminal guard: a finished task moves only when the caller names its state. */
    private static final String SELECT_FOR_TRANSITION = "SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks"
            + " WHERE id = ? AND try_number = ? AND state IN (" + String.join(", ", Collections.nCopies(MAX_FROM, "?"))
            + ") FOR UPDATE";

    private static final String UPDATE_FOR_TRANSITION = "UPDATE tasks SET state = ?, reason = ?,"
            + " failure = COALESCE(?, failure), next_attempt_at = ?, owner = ?, updated_at = ?,"
            + " infra_failures = infra_failures + ? WHERE id = ? AND try_number = ? AND state = ?";
    private static final String INSERT_TRANSITION =
            "INSERT INTO task_transitions (task_id, try_number, from_state, to_state, at, reason)"
                    + " VALUES (?, ?, ?, ?, ?, ?)";

    private Optional<Task> transitionIn(
            PreparedStatement select, PreparedStatement update, PreparedStatement insert, TransitionRequest r)
            throws SQLException {
        requireNonNull(r.to(), "to");
        if (r.from() == null || r.from().isEmpty()) {
            return Optional.empty();
        }
        long at = r.now().toEpochMilli();
        select.setString(1, r.id());
        select.setInt(2, r.tryNumber());
        List<TaskState> from = List.copyOf(r.from());
        for (int i = 0; i < MAX_FROM; i++) {
            select.setString(3 + i, from.get(Math.min(i, from.size() - 1)).name()); // padded with a repeat
        }
        Task old;
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            old = taskRows.map(rs, null);
        }
        if (r.expectedOwner() != null && !r.expectedOwner().equals(old.owner())) {
            return Optional.empty(); // another scheduler owns it now (the row is locked: no race)
        }
        FailureDetails newFailure = r.failure() != null ? r.failure() : old.failure();
        Instant newNext = r.nextAttemptAt() != null ? TaskRows.stored(r.nextAttemptAt()) : old.nextAttemptAt();
        String newOwner = CLAIMABLE.contains(r.to()) ? null : old.owner();
        update.setString(1, r.to().name());
        update.setString(2, r.reason());
        update.setString(3, TaskJson.write(r.failure()));
        update.setLong(4, newNext.toEpochMilli());
        update.setString(5, newOwner);
        update.setLong(6, at);
        int infra = r.infrastructure() ? 1 : 0;
        update.setInt(7, infra);
        update.setString(8, r.id());
        update.setInt(9, r.tryNumber());
        update.setString(10, old.state().name());
        if (update.executeUpdate() != 1) {
            return Optional.empty();
        }
        insert.setString(1, r.id());
        insert.setInt(2, r.tryNumber());
        insert.setString(3, old.state().name());
        insert.setString(4, r.to().name());
        insert.setLong(5, at);
        insert.setString(6, r.reason());
        insert.addBatch();
        return Optional.of(new Task(
                r.id(),
                old.spec(),
                old.cluster(),
                r.to(),
                r.tryNumber(),
                old.podName(),
                r.reason(),
                newFailure,
                newOwner,
                old.cancelRequested(),
                old.createdAt(),
                Instant.ofEpochMilli(at),
                newNext,
                old.infraFailures() + infra));
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
                .map(taskRows)
                .list());
    }

    @Override
    public List<Task> cancelRequested() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks"
                        + " WHERE cancel_requested = TRUE AND state IN (" + literals(NOT_TERMINAL) + ")"
                        + " ORDER BY created_at, seq")
                .map(taskRows)
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

    static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A retry's claim starts the next try. */
    private static int nextTry(Task waiting) {
        return waiting.state() == TaskState.UP_FOR_RETRY ? waiting.tryNumber() + 1 : waiting.tryNumber();
    }
}
