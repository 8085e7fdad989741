package dev.drover.core.store;

import dev.drover.core.FailureDetails;
import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One state change for {@link TaskStore#transitionAll}: the arguments of {@link
 * TaskStore#transition}.
 */
public record TransitionRequest(
        String id,
        int tryNumber,
        Set<TaskState> from,
        TaskState to,
        String reason,
        @Nullable FailureDetails failure,
        @Nullable Instant nextAttemptAt,
        Instant now) {}
