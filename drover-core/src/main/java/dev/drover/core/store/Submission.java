package dev.drover.core.store;

import dev.drover.core.Task;
import java.util.List;

/**
 * What an idempotent submit stored, or stored before.
 *
 * @param tasks the tasks in the order submitted (as stored then, for a replay as they are now)
 * @param replayed true when the key had been used for this request already: nothing new was stored
 */
public record Submission(List<Task> tasks, boolean replayed) {
    /** Copies the list. */
    public Submission {
        tasks = List.copyOf(tasks);
    }
}
