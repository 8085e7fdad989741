package dev.drover.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A submitted task as the store keeps it.
 *
 * @param cluster the cluster it runs on (its submitter's; {@code ""}: any)
 * @param tryNumber 1 for the first try; raised when a retry is launched
 * @param podName the pod of the current try, once known
 * @param reason why it entered its current state
 * @param owner the scheduler that claimed it (null while queued)
 * @param nextAttemptAt when a QUEUED/UP_FOR_RETRY task may be launched
 * @param infraFailures tries the cluster ended (eviction, node lost, preemption…) that were tried
 *     again on the infrastructure budget ({@link TaskSpec#infraRetries()}), not on its retries
 */
public record Task(
        String id,
        TaskSpec spec,
        String cluster,
        TaskState state,
        int tryNumber,
        @Nullable String podName,
        @Nullable String reason,
        @Nullable FailureDetails failure,
        @Nullable String owner,
        boolean cancelRequested,
        Instant createdAt,
        Instant updatedAt,
        Instant nextAttemptAt,
        int infraFailures) {}
