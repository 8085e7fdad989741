package dev.drover.core.launch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writes after an outcome: the done label (one patch), the delete, the revoked label. */
public final class PodCleanup {
    private static final Logger log = LoggerFactory.getLogger(PodCleanup.class);
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
    private final KubernetesClient client;

    public PodCleanup(KubernetesClient client) {
        this.client = client;
    }

    /** Labels the pod done (it leaves the tracker's selector) and deletes it when asked. */
    public void finished(String namespace, String pod, boolean delete) {
        patchLabel(namespace, pod, PodLabels.DONE);
        if (delete) {
            delete(namespace, pod);
        }
    }

    /** Cancel: the revoked label first, so whatever the pod says next is ignored, then the delete. */
    public void revoke(String namespace, String pod) {
        patchLabel(namespace, pod, PodLabels.REVOKED);
        delete(namespace, pod);
    }

    public void delete(String namespace, String pod) {
        try {
            client.pods().inNamespace(namespace).withName(pod).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                log.warn("could not delete pod {}/{}: {}", namespace, pod, e.getMessage());
            }
        }
    }

    private void patchLabel(String namespace, String pod, String label) {
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withName(pod)
                    .patch(MERGE, "{\"metadata\":{\"labels\":{\"" + label + "\":\"true\"}}}");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                log.warn("could not label pod {}/{} {}: {}", namespace, pod, label, e.getMessage());
            }
        }
    }
}
