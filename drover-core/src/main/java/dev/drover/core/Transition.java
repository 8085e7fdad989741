package dev.drover.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One persisted state change of a task. {@code from} is null for the submission. */
public record Transition(
        String taskId,
        int tryNumber,
        @Nullable TaskState from,
        TaskState to,
        Instant at,
        @Nullable String reason) {}
