package dev.drover.core.store;

import dev.drover.core.FailureDetails;
import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One state change for {@link TaskStore#transitionAll}: the arguments of {@link
 * TaskStore#transition}, and the owner the task must still have.
 *
 * @param expectedOwner when not null, the change happens only while the task is owned by this
 *     scheduler: a replica that was declared dead and taken over never writes over its heir
 * @param infrastructure the try was ended by the cluster and is retried on the
 *     infrastructure budget: the task's {@code infraFailures} goes up by one
 */
public record TransitionRequest(
        String id,
        int tryNumber,
        Set<TaskState> from,
        TaskState to,
        String reason,
        @Nullable FailureDetails failure,
        @Nullable Instant nextAttemptAt,
        Instant now,
        @Nullable String expectedOwner,
        boolean infrastructure) {

    /** A change whatever the task's owner. */
    public TransitionRequest(
            String id,
            int tryNumber,
            Set<TaskState> from,
            TaskState to,
            String reason,
            @Nullable FailureDetails failure,
            @Nullable Instant nextAttemptAt,
            Instant now) {
        this(id, tryNumber, from, to, reason, failure, nextAttemptAt, now, null, false);
    }
}
