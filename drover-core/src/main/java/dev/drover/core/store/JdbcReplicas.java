package dev.drover.core.store;

import dev.drover.core.Replica;
import dev.drover.core.ReplicaState;
import dev.drover.core.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The {@code replicas} table and the owner moves between replicas, on the same SQL for H2 and
 * PostgreSQL. Every time is the database's ({@link #NOW}), so hosts with skewed clocks agree on who
 * is alive.
 */
final class JdbcReplicas {
    /** The database's clock in epoch milliseconds (the same expression runs on H2 and PostgreSQL). */
    static final String NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";

    private static final String IN_FLIGHT = "'LAUNCHING', 'PENDING', 'RUNNING'";
    private static final String LIVING = "'RUNNING', 'STOPPING'";

    private final Jdbi jdbi;
    private final RowMapper<Task> taskRows;

    JdbcReplicas(Jdbi jdbi, RowMapper<Task> taskRows) {
        this.jdbi = jdbi;
        this.taskRows = taskRows;
    }

    Replica register(String id, String host, String version, Duration aliveThreshold) {
        return jdbi.inTransaction(h -> {
            h.createQuery("SELECT id FROM replicas WHERE id = :id FOR UPDATE") // one registration at a time
                    .bind("id", id)
                    .mapTo(String.class)
                    .findOne();
            Optional<Replica> existing = h.createQuery(SELECT + " WHERE r.id = :id")
                    .bind("id", id)
                    .bind("threshold", aliveThreshold.toMillis())
                    .map(REPLICA)
                    .findOne();
            if (existing.isPresent() && existing.get().alive()) {
                Replica r = existing.get();
                throw new IllegalArgumentException(
                        "schedulerId '" + id + "' is in use by a live replica on host " + r.host()
                                + " (last heartbeat " + r.heartbeatAge().toMillis() / 1000 + " s ago, " + r.state()
                                + "); stop it or choose another schedulerId");
            }
            if (existing.isPresent()) {
                h.createUpdate("UPDATE replicas SET host = :host, version = :version, started_at = " + NOW
                                + ", heartbeat_at = " + NOW + ", state = 'RUNNING' WHERE id = :id")
                        .bind("id", id)
                        .bind("host", host)
                        .bind("version", version)
                        .execute();
            } else {
                h.createUpdate("INSERT INTO replicas (id, host, version, started_at, heartbeat_at, state)"
                                + " VALUES (:id, :host, :version, " + NOW + ", " + NOW + ", 'RUNNING')")
                        .bind("id", id)
                        .bind("host", host)
                        .bind("version", version)
                        .execute();
            }
            return h.createQuery(SELECT + " WHERE r.id = :id")
                    .bind("id", id)
                    .bind("threshold", aliveThreshold.toMillis())
                    .map(REPLICA)
                    .one();
        });
    }

    boolean heartbeat(String id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE replicas SET heartbeat_at = " + NOW
                                + " WHERE id = :id AND state IN (" + LIVING + ")")
                        .bind("id", id)
                        .execute())
                == 1;
    }

    void setState(String id, ReplicaState state) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replicas SET state = :state WHERE id = :id")
                .bind("id", id)
                .bind("state", state.name())
                .execute());
    }

    boolean declareDead(String id, Duration aliveThreshold) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE replicas SET state = 'STOPPED' WHERE id = :id AND state IN ("
                                + LIVING + ") AND heartbeat_at < " + NOW + " - :threshold")
                        .bind("id", id)
                        .bind("threshold", aliveThreshold.toMillis())
                        .execute())
                == 1;
    }

    List<Replica> all(Duration aliveThreshold) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " ORDER BY r.started_at, r.id")
                .bind("threshold", aliveThreshold.toMillis())
                .map(REPLICA)
                .list());
    }

    /**
     * Moves up to {@code max} of {@code from}'s in-flight tasks to {@code heir}, oldest first, each
     * with an owner compare-and-set (several heirs at once: each task goes to exactly one), and
     * records the move as a transition. The try's state is kept: the heir resumes it.
     */
    List<Task> takeOver(String from, String heir, int max, Instant now) {
        if (max <= 0) {
            return List.of();
        }
        return jdbi.inTransaction(h -> {
            // No lock on the read: each move below is a compare-and-set on the owner, so of several
            // heirs at once each task goes to exactly one.
            List<Task> candidates = h.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tasks WHERE owner = :from"
                            + " AND state IN (" + IN_FLIGHT + ") ORDER BY created_at, seq LIMIT :max")
                    .bind("from", from)
                    .bind("max", max)
                    .map(taskRows)
                    .list();
            List<Task> moved = new ArrayList<>();
            String reason = "taken over by " + heir + " from " + from;
            for (Task c : candidates) {
                int n = h.createUpdate("UPDATE tasks SET owner = :heir, reason = :reason, updated_at = :now"
                                + " WHERE id = :id AND owner = :from AND state = :state AND try_number = :try")
                        .bind("heir", heir)
                        .bind("reason", reason)
                        .bind("now", now.toEpochMilli())
                        .bind("id", c.id())
                        .bind("from", from)
                        .bind("state", c.state().name())
                        .bind("try", c.tryNumber())
                        .execute();
                if (n == 1) {
                    h.createUpdate(
                                    "INSERT INTO task_transitions (task_id, try_number, from_state, to_state, at, reason)"
                                            + " VALUES (:id, :try, :state, :state, :at, :reason)")
                            .bind("id", c.id())
                            .bind("try", c.tryNumber())
                            .bind("state", c.state().name())
                            .bind("at", now.toEpochMilli())
                            .bind("reason", reason)
                            .execute();
                    moved.add(new Task(
                            c.id(),
                            c.spec(),
                            c.cluster(),
                            c.state(),
                            c.tryNumber(),
                            c.podName(),
                            reason,
                            c.failure(),
                            heir,
                            c.cancelRequested(),
                            c.createdAt(),
                            now,
                            c.nextAttemptAt(),
                            c.infraFailures()));
                }
            }
            return moved;
        });
    }

    private static final String SELECT = "SELECT r.id, r.host, r.version, r.started_at, r.heartbeat_at, r.state, "
            + NOW + " - r.heartbeat_at AS age, CASE WHEN r.state <> 'STOPPED' AND " + NOW
            + " - r.heartbeat_at < :threshold THEN 1 ELSE 0 END AS alive, (SELECT COUNT(*) FROM tasks t WHERE"
            + " t.owner = r.id AND t.state IN (" + IN_FLIGHT + ")) AS in_flight FROM replicas r";

    /** Alive: a fresh heartbeat by the database's clock, and not stopped. */
    private static final RowMapper<Replica> REPLICA = (rs, ctx) -> {
        ReplicaState state = ReplicaState.valueOf(rs.getString("state"));
        long age = Math.max(0, rs.getLong("age"));
        return new Replica(
                rs.getString("id"),
                rs.getString("host"),
                rs.getString("version"),
                Instant.ofEpochMilli(rs.getLong("started_at")),
                Instant.ofEpochMilli(rs.getLong("heartbeat_at")),
                state,
                Duration.ofMillis(age),
                rs.getInt("alive") == 1,
                rs.getLong("in_flight"));
    };
}
