package dev.drover.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration of a client running in a pod, as kubectl and client-go make it: the apiserver
 * at {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, trusted by the pod's
 * {@code ca.crt}, authenticated by its service-account {@code token} (re-read when the kubelet
 * rotates it; a 401 makes {@link KubeApi} read it again and retry once), its {@code namespace} the
 * default. The three files are in {@value #DEFAULT_DIR}, or in {@code $DROVER_SERVICEACCOUNT_DIR}
 * (for tests, and for a token mounted elsewhere).
 */
public final class InCluster {
    /** Where the kubelet mounts a pod's service-account token, CA and namespace. */
    public static final String DEFAULT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
    /** The environment variable that moves {@link #DEFAULT_DIR}. */
    public static final String DIR_ENV = "DROVER_SERVICEACCOUNT_DIR";

    private InCluster() {}

    /** Whether this looks like a pod: {@code KUBERNETES_SERVICE_HOST} is set. */
    public static boolean detected(Map<String, String> env) {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        return host != null && !host.isBlank();
    }

    /** {@link #config(Map)} of this process's environment. */
    public static Config config() {
        return config(System.getenv());
    }

    /**
     * The in-cluster configuration the environment {@code env} describes. Throws {@link
     * IllegalArgumentException} naming what is missing (the variable, or the file and how to move it).
     */
    public static Config config(Map<String, String> env) {
        if (!detected(env)) {
            throw new IllegalArgumentException(
                    "in-cluster: KUBERNETES_SERVICE_HOST is not set (not in a pod?);" + " pass a kubeconfig instead");
        }
        String host = env.get("KUBERNETES_SERVICE_HOST").trim();
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443").trim();
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException(
                    "in-cluster: KUBERNETES_SERVICE_PORT '" + port + "' is not a port number");
        }
        String dir = env.getOrDefault(DIR_ENV, DEFAULT_DIR);
        return config(host, Integer.parseInt(port), Path.of(dir.isBlank() ? DEFAULT_DIR : dir));
    }

    /** The configuration for the apiserver at {@code host:port}, with the service-account files in {@code dir}. */
    public static Config config(String host, int port, Path dir) {
        Path token = dir.resolve("token");
        Path ca = dir.resolve("ca.crt");
        for (Path f : new Path[] {token, ca}) {
            if (!Files.isReadable(f)) {
                throw new IllegalArgumentException("in-cluster: " + f + " cannot be read (the pod's service-account"
                        + " files: is automountServiceAccountToken false? $" + DIR_ENV + " moves the directory)");
            }
        }
        TokenFile tokens;
        try {
            tokens = new TokenFile(token);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("in-cluster: " + e.getMessage(), e);
        }
        // IPv6 service addresses need brackets in a URL, as client-go's net.JoinHostPort gives them.
        String authority = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new ConfigBuilder(Config.empty())
                .withMasterUrl("https://" + authority + ":" + port)
                .withCaCertFile(ca.toString())
                .withNamespace(namespace(dir))
                .withOauthTokenProvider(tokens)
                .build();
    }

    private static String namespace(Path dir) {
        Path f = dir.resolve("namespace");
        try {
            String ns = Files.isReadable(f)
                    ? Files.readString(f, StandardCharsets.UTF_8).trim()
                    : "";
            return ns.isEmpty() ? "default" : ns;
        } catch (IOException e) {
            return "default";
        }
    }
}
