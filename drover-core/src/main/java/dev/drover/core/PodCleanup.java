package dev.drover.core;

import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.kube.ResourceType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes after an outcome: for a pod that stays, one strategic merge patch that sets the done
 * label and drops Drover's finalizer (no read first); for one that goes, the delete, then the
 * finalizer dropped; on cancel the revoked label (finalizer dropped) then the delete. A strategic
 * merge patch removes just Drover's entry of {@code metadata.finalizers}, never another's.
 */
final class PodCleanup implements Cleanup {
    private static final Logger log = LoggerFactory.getLogger(PodCleanup.class);
    private static final String DROP_FINALIZER =
            "\"$deleteFromPrimitiveList/finalizers\":[\"" + PodLabels.FINALIZER + "\"]";
    private final KubeApi api;

    PodCleanup(KubeApi api) {
        this.api = api;
    }

    @Override
    public void finished(String namespace, String pod, boolean delete, @Nullable PodView last) {
        boolean held = last == null || last.hasFinalizer(PodLabels.FINALIZER);
        if (!delete) {
            patch(namespace, pod, labelled(PodLabels.DONE) + (held ? "," + DROP_FINALIZER : ""));
            return;
        }
        boolean gone = false;
        if (last == null || !last.deleting()) {
            gone = delete(namespace, pod) == 404;
        }
        if (held && !gone) {
            release(namespace, pod); // a pod held by the finalizer goes with this write
        }
    }

    @Override
    public void revoke(String namespace, String pod) {
        patch(namespace, pod, labelled(PodLabels.REVOKED) + "," + DROP_FINALIZER);
        delete(namespace, pod);
    }

    /** The status code; 404: gone already; 0: it failed (logged). */
    private int delete(String namespace, String pod) {
        try {
            return api.delete(ResourceType.PODS.path(namespace) + "/" + pod);
        } catch (ApiException e) {
            log.warn("could not delete pod {}/{}: {}", namespace, pod, e.getMessage());
            return 0;
        }
    }

    @Override
    public void release(String namespace, String pod) {
        patch(namespace, pod, DROP_FINALIZER);
    }

    private static String labelled(String label) {
        return "\"labels\":{\"" + label + "\":\"true\"}";
    }

    private void patch(String namespace, String pod, String metadataFields) {
        try {
            api.strategicMergePatch(
                    ResourceType.PODS.path(namespace) + "/" + pod, "{\"metadata\":{" + metadataFields + "}}");
        } catch (ApiException e) {
            log.warn("could not patch pod {}/{} ({}): {}", namespace, pod, metadataFields, e.getMessage());
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
        if (!delete) {
            return unlessChanged(
                    namespace,
                    pod,
                    () -> api.strategicMergePatch(
                            path,
                            "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"," + labelled(PodLabels.DONE)
                                    + "," + DROP_FINALIZER + "}}"));
        }
        boolean won = unlessChanged(
                namespace,
                pod,
                () -> api.delete(path, "{\"preconditions\":{\"resourceVersion\":\"" + resourceVersion + "\"}}"));
        if (won) {
            release(namespace, pod); // only the one whose delete won drops the finalizer
        }
        return won;
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
