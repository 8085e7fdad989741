package dev.drover.core;

import java.time.Duration;

/** What became of one pod creation. */
sealed interface LaunchResult {
    /** The pod exists: created now, or found already there and ours (409 after a crash). */
    record Created(String podName, boolean alreadyExisted) implements LaunchResult {}

    /** The apiserver refused the pod for good (400/422, forbidden, no namespace): the task fails. */
    record Rejected(FailureDetails details) implements LaunchResult {}

    /** Try the same try again later (429, 5xx, timeouts, quota): the task goes back to the queue. */
    record Requeue(Duration after, String reason) implements LaunchResult {}
}
