package dev.drover.core;

/** The writes to a pod after its task's outcome ({@link PodCleanup} on the apiserver). Failures are logged, not thrown. */
interface Cleanup {
    /** Deleted when {@code delete}, else labelled done so it leaves the tracker's selector. */
    void finished(String namespace, String pod, boolean delete);

    /** Cancel: the revoked label first, so whatever the pod says next is ignored, then the delete. */
    void revoke(String namespace, String pod);

    void delete(String namespace, String pod);

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
