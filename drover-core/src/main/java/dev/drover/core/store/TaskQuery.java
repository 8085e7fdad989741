package dev.drover.core.store;

import dev.drover.core.TaskState;
import dev.drover.kube.LabelSelector;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What {@link TaskStore#query} lists: tasks newest first, filtered by every part given, a page at a
 * time. Start from {@link #all()} and narrow it with the {@code with…} methods; each checks its
 * value, so a bad one fails here with an {@link IllegalArgumentException} naming the field.
 *
 * <pre>{@code
 * TaskPage page = store.query(TaskQuery.all().withStates(Set.of(TaskState.FAILED)).withLabelSelector("team=etl"));
 * TaskPage next = store.query(query.withCursor(page.nextCursor()));
 * }</pre>
 *
 * @param states the states to list; empty lists every state
 * @param labelSelector a Kubernetes label selector over the tasks' labels ({@code a=b}, {@code a==b},
 *     {@code a!=b}, {@code a in (x,y)}, {@code a notin (x)}, {@code a}, {@code !a}, joined by
 *     commas); empty selects every task
 * @param name the task name, matched exactly; null for any
 * @param submittedSince only tasks submitted at or after this; null for any
 * @param limit the page size, 1 to {@link #MAX_LIMIT}
 * @param cursor where the page starts: a previous page's {@link TaskPage#nextCursor()}; null for
 *     the first page
 */
public record TaskQuery(
        Set<TaskState> states,
        String labelSelector,
        @Nullable String name,
        @Nullable Instant submittedSince,
        int limit,
        @Nullable String cursor) {
    /** The page size of {@link #all()}. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    /** Checks every part; see the class. */
    public TaskQuery {
        labelSelector = labelSelector == null ? "" : labelSelector;
        states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        LabelSelector.parse(labelSelector); // its message names labelSelector
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException(
                    "limit " + limit + " is out of range; give 1 to " + MAX_LIMIT + " tasks per page");
        }
        if (cursor != null) {
            TaskCursor.decode(cursor);
        }
    }

    /** Every task, newest first, {@value #DEFAULT_LIMIT} per page. */
    public static TaskQuery all() {
        return new TaskQuery(Set.of(), "", null, null, DEFAULT_LIMIT, null);
    }

    /** Only tasks in one of {@code states} (empty: all). */
    public TaskQuery withStates(Set<TaskState> states) {
        return new TaskQuery(states, labelSelector, name, submittedSince, limit, cursor);
    }

    /** Only tasks whose labels match {@code selector} (empty: all). */
    public TaskQuery withLabelSelector(String selector) {
        return new TaskQuery(states, selector, name, submittedSince, limit, cursor);
    }

    /** Only tasks named exactly {@code name} (null: any). */
    public TaskQuery withName(@Nullable String name) {
        return new TaskQuery(states, labelSelector, name, submittedSince, limit, cursor);
    }

    /** Only tasks submitted at or after {@code since} (null: any). */
    public TaskQuery withSubmittedSince(@Nullable Instant since) {
        return new TaskQuery(states, labelSelector, name, since, limit, cursor);
    }

    /** At most {@code limit} tasks per page, 1 to {@value #MAX_LIMIT}. */
    public TaskQuery withLimit(int limit) {
        return new TaskQuery(states, labelSelector, name, submittedSince, limit, cursor);
    }

    /** The page after the one that gave {@code cursor} ({@link TaskPage#nextCursor()}; null: the first). */
    public TaskQuery withCursor(@Nullable String cursor) {
        return new TaskQuery(states, labelSelector, name, submittedSince, limit, cursor);
    }
}
