package dev.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a kubeconfig file says about its contexts: their names, clusters and servers, and the
 * current one. Read with Jackson's YAML parser, not fabric8's, so that commands that only name a
 * cluster (submit) do not load a Kubernetes client.
 */
record Kubeconfig(
        Path file, String currentContext, Map<String, String> serverByContext, Map<String, String> clusterByContext) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Reads {@code file}; {@code flag} names where it came from in errors (e.g. "--kubeconfig /x"). */
    static Kubeconfig read(Path file, String flag) {
        if (!Files.exists(file)) {
            throw new CliFailure(flag + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliFailure(flag + ": not a readable file");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new CliFailure(flag + ": cannot read it as a kubeconfig", e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new Kubeconfig(file, null, Map.of(), Map.of());
        }
        if (!root.isObject()) {
            throw new CliFailure(flag + ": not a kubeconfig (a YAML mapping with clusters, users, contexts)");
        }
        Map<String, String> servers = new LinkedHashMap<>();
        for (JsonNode c : root.path("clusters")) {
            servers.put(
                    c.path("name").asText(), c.path("cluster").path("server").asText(null));
        }
        Map<String, String> byContext = new LinkedHashMap<>();
        Map<String, String> clusters = new LinkedHashMap<>();
        for (JsonNode c : root.path("contexts")) {
            String cluster = c.path("context").path("cluster").asText("");
            byContext.put(c.path("name").asText(), servers.get(cluster));
            clusters.put(c.path("name").asText(), cluster.isEmpty() ? null : cluster);
        }
        String current = root.path("current-context").asText("");
        return new Kubeconfig(file, current.isEmpty() ? null : current, byContext, clusters);
    }

    boolean has(String context) {
        return serverByContext.containsKey(context);
    }
}
