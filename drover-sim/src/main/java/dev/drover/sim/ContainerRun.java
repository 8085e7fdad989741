package dev.drover.sim;

import java.time.Instant;

/** The simulated runtime state of one container; owned by the simulator's loop thread. */
final class ContainerRun {
    enum State {
        WAITING,
        RUNNING,
        TERMINATED
    }

    final String name;
    final boolean init;
    final String image;
    final String pullPolicy;
    final Behavior.ContainerPlan plan;
    final ContainerLog log;

    State state = State.WAITING;
    /** Whether the kubelet has begun to start it (pulling counts). */
    boolean begun;

    String waitingReason;
    String waitingMessage;
    int pullAttempts;
    Instant startedAt;
    Instant finishedAt;
    int exitCode;
    String terminatedReason;
    String terminatedMessage;
    String containerId;
    String imageId;

    ContainerRun(String name, boolean init, String image, String pullPolicy, Behavior.ContainerPlan plan) {
        this.name = name;
        this.init = init;
        this.image = image;
        this.pullPolicy = pullPolicy;
        this.plan = plan;
        this.log = ContainerLog.of(name, plan);
    }

    /** {@code spec.containers{name}} or {@code spec.initContainers{name}}, as events reference it. */
    String fieldPath() {
        return (init ? "spec.initContainers{" : "spec.containers{") + name + "}";
    }

    void waiting(String reason, String message) {
        state = State.WAITING;
        waitingReason = reason;
        waitingMessage = message;
        log.waiting(reason);
    }

    void running(Instant at, String id, String imageRef) {
        state = State.RUNNING;
        startedAt = at;
        containerId = id;
        imageId = imageRef;
        waitingReason = null;
        waitingMessage = null;
        log.start(at, plan.run());
    }

    /** Killed at {@code at}: log lines due later are never written. */
    void terminated(Instant at, int code, String reason) {
        end(at, code, reason);
        log.finish(at);
    }

    /** Ended by itself: its whole log was written. */
    void exited(Instant at, int code, String reason) {
        end(at, code, reason);
        log.complete(at);
    }

    /** Never started, and now never will: terminated {@code ContainerStatusUnknown} with exit code 137. */
    void unknown(Instant at, String message) {
        end(at, 137, "ContainerStatusUnknown");
        terminatedMessage = message;
        log.finish(at);
    }

    private void end(Instant at, int code, String reason) {
        state = State.TERMINATED;
        finishedAt = at;
        exitCode = code;
        terminatedReason = reason;
    }

    boolean running() {
        return state == State.RUNNING;
    }

    boolean terminated() {
        return state == State.TERMINATED;
    }

    boolean succeeded() {
        return state == State.TERMINATED && exitCode == 0;
    }
}
