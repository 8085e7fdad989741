package dev.drover.cli;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;

/**
 * The cluster a command's kube options name, checked: a kubeconfig file and one of its contexts,
 * or the pod's own service account ({@code kubeconfig} null, in a cluster), or nothing configured.
 *
 * @param kubeconfig the file holding the context; null in-cluster or when nothing is configured
 * @param context the context's name; null in-cluster or when nothing is configured
 * @param server the context's apiserver URL as the kubeconfig says it; null when unknown
 * @param source where the kubeconfig came from, for messages ("--kubeconfig", "$KUBECONFIG", …)
 */
public record KubeTarget(Path kubeconfig, String context, String server, String source) {
    static final String IN_CLUSTER = "in-cluster";
    static final String NONE = "none";

    /** True when no kubeconfig was found and this is no pod: nothing can talk to a cluster. */
    public boolean isNone() {
        return NONE.equals(source);
    }

    /** The fabric8 configuration to talk to this cluster (loads the Kubernetes client). */
    public Config config() {
        if (isNone()) {
            throw new CliFailure(
                    "no cluster configured: pass --kubeconfig FILE, set $KUBECONFIG or write ~/.kube/config");
        }
        if (kubeconfig == null) {
            return Config.autoConfigure(null);
        }
        try {
            return Config.fromKubeconfig(context, kubeconfig.toFile());
        } catch (RuntimeException e) {
            throw new CliFailure(source + " " + kubeconfig + ": cannot use context \"" + context + "\"", e);
        }
    }
}
