package dev.drover.core.store;

import dev.drover.core.Task;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@link TaskStore#query}: its tasks newest first, and the cursor of the next page.
 *
 * @param nextCursor pass to {@link TaskQuery#withCursor} for the next page; null on the last page
 */
public record TaskPage(List<Task> tasks, @Nullable String nextCursor) {
    /** Copies the list. */
    public TaskPage {
        tasks = List.copyOf(tasks);
    }
}
