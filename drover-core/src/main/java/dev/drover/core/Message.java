package dev.drover.core;

import dev.drover.kube.PodView;
import java.util.Optional;

/**
 * What reaches the {@link Inbox}: pod news from the watches and the facts other threads learn
 * about tasks in flight. One worker takes them in order, so every change of a task's state in
 * memory happens on that thread and in the order things were learned.
 */
sealed interface Message {
    /** A pod of this scheduler changed (or left the watch, {@code deleted}). */
    record PodChanged(PodView pod, boolean deleted) implements Message {}

    /** The namespace's pods are listed: every pod there has been told once. */
    record NamespaceSynced(String namespace) implements Message {}

    /** A create answered. */
    record Launched(String taskId, int tryNumber, LaunchResult result) implements Message {}

    /** The store holds a cancel request for a task in flight here. */
    record CancelAsked(String taskId) implements Message {}

    /** A timeout sweep found the try overdue; the worker checks again before acting. */
    record Overdue(String taskId, int tryNumber) implements Message {}

    /**
     * An ended try is ready to be recorded: its logs are kept and its failure details complete
     * ({@code failure} null: it succeeded). {@code once}: it fails the task without using retries.
     */
    record Concluded(
            String taskId,
            int tryNumber,
            @org.jspecify.annotations.Nullable FailureDetails failure,
            boolean deletePod,
            boolean once)
            implements Message {}

    /**
     * A task to pick up as after a restart (the store says it is ours and in flight); {@code
     * takenOver}: from a replica that is not alive, so its pod, if any, carries that one's name.
     */
    record Resume(Task task, boolean takenOver) implements Message {}

    /** The store declared this replica dead while its heartbeats did not get through: let go of everything, write nothing. */
    record DropAll() implements Message {}

    /**
     * What a direct read found of a resumed task's pod, which the watch did not show: absent (gone),
     * or present, perhaps under another owner.
     */
    record PodLookedUp(String taskId, int tryNumber, Optional<PodView> pod) implements Message {}

    /**
     * The pod of a try whose startup timeout is due, read again: present, or absent (gone, or,
     * when not {@code read}, the read failed).
     */
    record StartupRechecked(String taskId, int tryNumber, Optional<PodView> pod, boolean read) implements Message {}

    /** Launch deferred: its namespace could not be listed in time. */
    record NamespaceWaitOver(String taskId, int tryNumber) implements Message {}
}
