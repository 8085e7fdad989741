package dev.drover.core.store;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import org.jdbi.v3.core.mapper.RowMapper;

/** How rows of {@code tasks} and {@code task_transitions} become {@link Task} and {@link Transition}. */
final class TaskRows {
    static final String TASK_COLUMNS = "id, spec, cluster, state, try_number, pod_name, reason, failure, owner,"
            + " cancel_requested, created_at, updated_at, next_attempt_at, infra_failures";

    static final String TRANSITION_COLUMNS = "task_id, try_number, from_state, to_state, at, reason";

    /**
     * Rows to tasks, each task's spec parsed once: specs never change after insert, and a busy
     * scheduler reads the same task at its claim and at each of its transitions. At most {@code
     * maxSpecs} are kept, the least recently read go first.
     */
    static RowMapper<Task> tasks(int maxSpecs) {
        Map<String, TaskSpec> specs =
                java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<String, TaskSpec>(1024, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, TaskSpec> eldest) {
                        return size() > maxSpecs;
                    }
                });
        return (rs, ctx) -> {
            String id = rs.getString("id");
            TaskSpec spec = specs.get(id);
            if (spec == null) {
                spec = TaskJson.spec(rs.getString("spec"));
                specs.put(id, spec);
            }
            return task(rs, id, spec);
        };
    }

    private static Task task(ResultSet rs, String id, TaskSpec spec) throws SQLException {
        return new Task(
                id,
                spec,
                rs.getString("cluster"),
                TaskState.valueOf(rs.getString("state")),
                rs.getInt("try_number"),
                rs.getString("pod_name"),
                rs.getString("reason"),
                TaskJson.failure(rs.getString("failure")),
                rs.getString("owner"),
                rs.getBoolean("cancel_requested"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "next_attempt_at"),
                rs.getInt("infra_failures"));
    }

    static final RowMapper<Transition> TRANSITION = (rs, ctx) -> {
        String from = rs.getString("from_state");
        return new Transition(
                rs.getString("task_id"),
                rs.getInt("try_number"),
                from == null ? null : TaskState.valueOf(from),
                TaskState.valueOf(rs.getString("to_state")),
                instant(rs, "at"),
                rs.getString("reason"));
    };

    private TaskRows() {}

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    /** Times are kept in epoch milliseconds; this is what a stored {@code Instant} reads back as. */
    static Instant stored(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }
}
