package dev.drover.core;

/** Where a replica (one scheduler process on a shared store) stands. */
public enum ReplicaState {
    /** Scheduling; alive while its heartbeats are fresh. */
    RUNNING,
    /** Stopping gracefully: no more claims, handing its tasks back. */
    STOPPING,
    /** Stopped, or declared dead by a live replica (its heartbeats had stopped): never alive again under this run. */
    STOPPED
}
