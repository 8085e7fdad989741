package dev.drover.server;

import dev.drover.core.TaskState;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One task state change as the watch sends it; {@code id} is its place in the store's order. */
record Change(
        long id,
        String task,
        String name,
        String namespace,
        int tryNumber,
        @Nullable TaskState from,
        TaskState to,
        Instant at,
        @Nullable String reason) {}
