package dev.drover.core;

import dev.drover.kube.PodView;
import org.jspecify.annotations.Nullable;

/**
 * The writes to a pod after its task's outcome ({@link PodCleanup} on the apiserver). Each one also
 * drops Drover's finalizer, so no path leaves a pod held. Failures are logged, not thrown.
 */
interface Cleanup {
    /**
     * Deleted when {@code delete} (then its finalizer dropped), else labelled done in the same write
     * that drops the finalizer. {@code last}: the pod as last seen (null: not known), so a pod that
     * is being deleted is not deleted again, and one without the finalizer gets no second write.
     */
    void finished(String namespace, String pod, boolean delete, @Nullable PodView last);

    /** Cancel: the revoked label (and the finalizer dropped) first, so whatever the pod says next is ignored, then the delete. */
    void revoke(String namespace, String pod);

    /** Drops Drover's finalizer only: the pod's outcome is recorded, or its task is not Drover's any more. */
    void release(String namespace, String pod);

    /**
     * Relabels a pod to {@code owner} only if it is unchanged since {@code resourceVersion}: of
     * replicas racing to adopt one pod exactly one wins. False when the pod changed or is gone.
     */
    boolean adopt(String namespace, String pod, String resourceVersion, String owner);

    /**
     * {@link #finished} only if the pod is unchanged since {@code resourceVersion}: a dead replica's
     * finished pod is cleaned up by one replica, once. False when it changed or is gone.
     */
    boolean finishedIfUnchanged(String namespace, String pod, String resourceVersion, boolean delete);
}
