package dev.drover.core;

import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import dev.drover.kube.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes after an outcome: the done label (one merge patch, no read first) for a pod that
 * stays, the delete for one that goes, and on cancel the revoked label then the delete.
 */
final class PodCleanup implements Cleanup {
    private static final Logger log = LoggerFactory.getLogger(PodCleanup.class);
    private final KubeApi api;

    PodCleanup(KubeApi api) {
        this.api = api;
    }

    /**
     * A pod whose outcome is recorded: deleted when asked, else labelled done so it leaves the
     * tracker's selector. A pod being deleted needs no label: the tracker ignores its last news.
     */
    public void finished(String namespace, String pod, boolean delete) {
        if (delete) {
            delete(namespace, pod);
        } else {
            patchLabel(namespace, pod, PodLabels.DONE);
        }
    }

    /** Cancel: the revoked label first, so whatever the pod says next is ignored, then the delete. */
    public void revoke(String namespace, String pod) {
        patchLabel(namespace, pod, PodLabels.REVOKED);
        delete(namespace, pod);
    }

    public void delete(String namespace, String pod) {
        try {
            api.delete(ResourceType.PODS.path(namespace) + "/" + pod); // 404: gone already
        } catch (ApiException e) {
            log.warn("could not delete pod {}/{}: {}", namespace, pod, e.getMessage());
        }
    }

    private void patchLabel(String namespace, String pod, String label) {
        try {
            api.mergePatch(
                    ResourceType.PODS.path(namespace) + "/" + pod,
                    "{\"metadata\":{\"labels\":{\"" + label + "\":\"true\"}}}");
        } catch (ApiException e) {
            log.warn("could not label pod {}/{} {}: {}", namespace, pod, label, e.getMessage());
        }
    }

    @Override
    public boolean adopt(String namespace, String pod, String resourceVersion, String owner) {
        return unlessChanged(
                namespace,
                pod,
                () -> api.mergePatch(
                        ResourceType.PODS.path(namespace) + "/" + pod,
                        "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\",\"labels\":{\""
                                + PodLabels.OWNER + "\":\"" + owner + "\"}}}"));
    }

    @Override
    public boolean finishedIfUnchanged(String namespace, String pod, String resourceVersion, boolean delete) {
        String path = ResourceType.PODS.path(namespace) + "/" + pod;
        return unlessChanged(
                namespace,
                pod,
                () -> delete
                        ? api.delete(path, "{\"preconditions\":{\"resourceVersion\":\"" + resourceVersion + "\"}}")
                        : api.mergePatch(
                                path,
                                "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\",\"labels\":{\""
                                        + PodLabels.DONE + "\":\"true\"}}}"));
    }

    /** True on 2xx; false on 404 (gone) and 409 (changed since it was read: someone else was first). */
    private boolean unlessChanged(String namespace, String pod, java.util.function.IntSupplier write) {
        try {
            return write.getAsInt() / 100 == 2;
        } catch (ApiException e) {
            if (e.code() != 409) {
                log.warn("could not write pod {}/{}: {}", namespace, pod, e.getMessage());
            }
            return false;
        }
    }
}
