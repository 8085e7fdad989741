package dev.drover.core;

/** The writes to a pod after its task's outcome ({@link PodCleanup} on the apiserver). Failures are logged, not thrown. */
interface Cleanup {
    /** Deleted when {@code delete}, else labelled done so it leaves the tracker's selector. */
    void finished(String namespace, String pod, boolean delete);

    /** Cancel: the revoked label first, so whatever the pod says next is ignored, then the delete. */
    void revoke(String namespace, String pod);

    void delete(String namespace, String pod);
}
