package dev.drover.core.store;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.kube.LabelSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/**
 * The reads a server makes: the filtered, cursor-paged listing and the change feed. The listing
 * walks an index in (created_at, seq) order, newest first, and stops after the page: by name
 * ({@code tasks_name_created}), by state ({@code tasks_state_created}, one branch per state merged),
 * or all tasks ({@code tasks_created}); labels are {@link LabelSql} conditions. A page starts after
 * its cursor's row (a range on the same index), never at an OFFSET.
 */
final class JdbcTaskQueries {
    private static final String ORDER = " ORDER BY created_at DESC, seq DESC LIMIT :fetch";

    private final Jdbi jdbi;
    private final RowMapper<Task> taskRows;

    JdbcTaskQueries(Jdbi jdbi, RowMapper<Task> taskRows) {
        this.jdbi = jdbi;
        this.taskRows = taskRows;
    }

    /** A task with its place in the listing's order. */
    private record Row(Task task, long seq) {}

    /** A statement and the values it binds by name. */
    record Sql(String sql, Map<String, Object> binds) {}

    TaskPage query(TaskQuery q) {
        Sql statement = sql(q);
        List<Row> rows = jdbi.withHandle(h -> {
            Query query = h.createQuery(statement.sql());
            statement.binds().forEach(query::bind);
            return query.map((rs, ctx) -> new Row(taskRows.map(rs, ctx), rs.getLong("seq")))
                    .list();
        });
        if (rows.size() <= q.limit()) {
            return new TaskPage(rows.stream().map(Row::task).toList(), null);
        }
        Row last = rows.get(q.limit() - 1);
        return new TaskPage(
                rows.subList(0, q.limit()).stream().map(Row::task).toList(),
                new TaskCursor(last.task().createdAt().toEpochMilli(), last.seq()).encode());
    }

    /** The listing's statement: one more row than the page, which tells whether there is a next page. */
    static Sql sql(TaskQuery q) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (q.name() != null) {
            where.add("name = :name");
            binds.put("name", q.name());
        }
        if (q.submittedSince() != null) {
            where.add("created_at >= :since");
            binds.put("since", q.submittedSince().toEpochMilli());
        }
        if (q.cursor() != null) {
            TaskCursor after = TaskCursor.decode(q.cursor());
            // the first part bounds the index range; the second leaves out the rows up to the cursor's
            where.add("created_at <= :cursorAt AND (created_at < :cursorAt OR seq < :cursorSeq)");
            binds.put("cursorAt", after.createdAt());
            binds.put("cursorSeq", after.seq());
        }
        LabelSql.Conditions labels = LabelSql.of(LabelSelector.parse(q.labelSelector()));
        where.addAll(labels.sql());
        binds.putAll(labels.binds());

        String select = "SELECT " + TaskRows.TASK_COLUMNS + ", seq FROM tasks t";
        String sql;
        if (q.states().isEmpty() || q.states().size() == TaskState.values().length) {
            sql = select + whereClause(where, null) + ORDER;
        } else if (q.states().size() == 1) {
            sql = select + whereClause(where, q.states().iterator().next()) + ORDER;
        } else {
            // One branch per state, each in its index's order and limited, merged: an IN list of
            // states cannot be read from one index in time order.
            sql = "SELECT * FROM ("
                    + q.states().stream()
                            .sorted()
                            .map(s -> "(" + select + whereClause(where, s) + ORDER + ")")
                            .collect(Collectors.joining(" UNION ALL "))
                    + ") u" + ORDER;
        }
        binds.put("fetch", q.limit() + 1);
        return new Sql(sql, binds);
    }

    private static String whereClause(List<String> conditions, TaskState state) {
        List<String> all = new ArrayList<>();
        if (state != null) {
            all.add("state = '" + state.name() + "'"); // an enum name: safe to inline, the planner sees it
        }
        all.addAll(conditions);
        return all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all);
    }

    List<TaskChange> changesAfter(long afterId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " must be at least 1");
        }
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT x.id, x.task_id, t.name, t.namespace, x.try_number, x.from_state, x.to_state,"
                                + " x.reason, x.at FROM task_transitions x JOIN tasks t ON t.id = x.task_id"
                                + " WHERE x.id > :after ORDER BY x.id LIMIT :limit")
                .bind("after", afterId)
                .bind("limit", limit)
                .map((rs, ctx) -> {
                    String from = rs.getString("from_state");
                    return new TaskChange(
                            rs.getLong("id"),
                            rs.getString("task_id"),
                            rs.getString("name"),
                            rs.getString("namespace"),
                            rs.getInt("try_number"),
                            from == null ? null : TaskState.valueOf(from),
                            TaskState.valueOf(rs.getString("to_state")),
                            rs.getString("reason"),
                            Instant.ofEpochMilli(rs.getLong("at")));
                })
                .list());
    }

    long lastChangeId() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM task_transitions")
                .mapTo(Long.class)
                .one());
    }
}
