package dev.drover.core;

import java.time.Instant;

/** One persisted state change of a task. {@code from} is null for the submission. */
public record Transition(String taskId, int tryNumber, TaskState from, TaskState to, Instant at, String reason) {}
