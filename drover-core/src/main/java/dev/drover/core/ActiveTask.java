package dev.drover.core;

import java.time.Instant;

/** A claimed task in flight, as this scheduler holds it in memory (one slot of the parallelism). */
final class ActiveTask {
    final String id;
    final TaskSpec spec;
    final int tryNumber;
    volatile TaskState state;
    /** The pod, once it is known to exist (created, or seen): what cancel and timeouts act on. */
    volatile String podName;

    volatile String podUid;
    /** When this scheduler first saw the pod exist: the start of the startup timeout. */
    volatile Instant seenAt;
    /** When it was first seen Running: the start of the run timeout. */
    volatile Instant runningSince;

    ActiveTask(Task t) {
        this.id = t.id();
        this.spec = t.spec();
        this.tryNumber = t.tryNumber();
        this.state = t.state();
        // A LAUNCHING task's stored pod name is the one its create will use, not yet a pod.
        this.podName = t.state() == TaskState.LAUNCHING ? null : t.podName();
    }

    String namespace() {
        return spec.namespace();
    }
}
