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
 * @param cluster the context's cluster name in the kubeconfig; null when none
 * @param source where the kubeconfig came from, for messages ("--kubeconfig", "$KUBECONFIG", …)
 */
public record KubeTarget(Path kubeconfig, String context, String server, String cluster, String source) {
    static final String IN_CLUSTER = "in-cluster";
    static final String NONE = "none";

    /** True when no kubeconfig was found and this is no pod: nothing can talk to a cluster. */
    public boolean isNone() {
        return NONE.equals(source);
    }

    /**
     * The name tasks record for this cluster and workers claim by, as {@code Drover.clusterName}
     * has it: the context's cluster name, else the apiserver's host:port (in a pod: the service's).
     */
    public String clusterName() {
        if (cluster != null) {
            return cluster;
        }
        if (server != null) {
            java.net.URI uri = java.net.URI.create(server);
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        }
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        String port = System.getenv().getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        if (host != null) {
            return host + ":" + port;
        }
        throw new CliFailure("no cluster configured: pass --kubeconfig FILE, set $KUBECONFIG or write ~/.kube/config"
                + " (or --cluster NAME to queue tasks for a cluster this machine does not reach)");
    }

    /** The fabric8 configuration to talk to this cluster (loads the Kubernetes client). */
    public Config config() {
        if (isNone()) {
            throw new CliFailure(
                    "no cluster configured: pass --kubeconfig FILE, set $KUBECONFIG or write ~/.kube/config");
        }
        if (kubeconfig == null) {
            try {
                return dev.drover.kube.InCluster.config();
            } catch (IllegalArgumentException e) {
                throw new CliFailure(e.getMessage());
            }
        }
        try {
            return Config.fromKubeconfig(context, kubeconfig.toFile());
        } catch (RuntimeException e) {
            throw new CliFailure(source + " " + kubeconfig + ": cannot use context \"" + context + "\"", e);
        }
    }
}
