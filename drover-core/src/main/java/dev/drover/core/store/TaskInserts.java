package dev.drover.core.store;

import static java.util.Objects.requireNonNull;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SequencedMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The rows of new tasks, in a transaction the caller holds: the task, its submission transition and
 * its labels ({@code task_labels}, for label selectors). Shared by the plain and the idempotent
 * insert.
 */
final class TaskInserts {
    static final String SUBMITTED = "submitted";

    private TaskInserts() {}

    static void insert(Handle h, SequencedMap<String, TaskSpec> specsById, String cluster, long at) {
        PreparedBatch tasks = h.prepareBatch("INSERT INTO tasks (id, name, namespace, cluster, spec, state, try_number,"
                + " reason, cancel_requested, created_at, updated_at, next_attempt_at)"
                + " VALUES (:id, :name, :namespace, :cluster, :spec, :state, 1, :reason, FALSE, :at, :at, :at)");
        PreparedBatch transitions =
                h.prepareBatch("INSERT INTO task_transitions (task_id, try_number, from_state, to_state, at, reason)"
                        + " VALUES (:id, 1, NULL, :to, :at, :reason)");
        PreparedBatch labels =
                h.prepareBatch("INSERT INTO task_labels (task_id, label_key, label_value) VALUES (:id, :key, :value)");
        specsById.forEach((id, spec) -> {
            tasks.bind("id", requireNonNull(id, "id"))
                    .bind("name", requireNonNull(spec, "spec").name())
                    .bind("namespace", spec.namespace())
                    .bind("cluster", cluster)
                    .bind("spec", TaskJson.write(spec))
                    .bind("state", TaskState.QUEUED.name())
                    .bind("reason", SUBMITTED)
                    .bind("at", at)
                    .add();
            transitions
                    .bind("id", id)
                    .bind("to", TaskState.QUEUED.name())
                    .bind("at", at)
                    .bind("reason", SUBMITTED)
                    .add();
            spec.labels()
                    .forEach((k, v) -> labels.bind("id", id)
                            .bind("key", k)
                            .bind("value", v)
                            .add());
        });
        tasks.execute();
        transitions.execute();
        if (labels.size() > 0) {
            labels.execute();
        }
    }

    /** The tasks {@link #insert} stored, as a read would give them. */
    static List<Task> stored(SequencedMap<String, TaskSpec> specsById, String cluster, long at) {
        Instant stored = Instant.ofEpochMilli(at);
        List<Task> out = new ArrayList<>(specsById.size());
        specsById.forEach((id, spec) -> out.add(new Task(
                id,
                spec,
                cluster,
                TaskState.QUEUED,
                1,
                null,
                SUBMITTED,
                null,
                null,
                false,
                stored,
                stored,
                stored,
                0)));
        return out;
    }

    /** The error for a duplicate task id. */
    static IllegalArgumentException idExists(SequencedMap<String, TaskSpec> specsById, RuntimeException cause) {
        String ids = specsById.size() == 1
                ? "task " + specsById.firstEntry().getKey() + " already exists"
                : "one of the " + specsById.size() + " task ids exists already";
        return new IllegalArgumentException(ids + "; submit it under a new id (TaskIds.next())", cause);
    }
}
