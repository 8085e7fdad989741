package dev.drover.core.store;

import dev.drover.core.TaskState;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One state change of a task as the change feed ({@link TaskStore#changesAfter}) tells it: a
 * {@code task_transitions} row with its task's name and namespace.
 *
 * @param id the change's id, increasing in commit order mostly (see {@link TaskStore#changesAfter});
 *     resume a feed after it
 * @param from null for the submission
 */
public record TaskChange(
        long id,
        String taskId,
        String taskName,
        String namespace,
        int tryNumber,
        @Nullable TaskState from,
        TaskState to,
        @Nullable String reason,
        Instant at) {}
