package dev.drover.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's Node objects: registered Ready with the kubelet port as their daemon endpoint,
 * and made NotReady like the node lifecycle controller does when a node is lost.
 */
final class SimNodes {
    private static final Logger log = LoggerFactory.getLogger(SimNodes.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String MERGE = "application/merge-patch+json";

    private final ApiWriter api;
    private final int kubeletPort;
    /** Node name → lost? Read by any thread (loseNode), written under this object's lock. */
    private final Map<String, Boolean> nodes = new LinkedHashMap<>();

    private Instant registeredAt;

    SimNodes(ApiWriter api, List<String> names, int kubeletPort) {
        this.api = api;
        this.kubeletPort = kubeletPort;
        names.forEach(n -> nodes.put(n, false));
    }

    /** Creates (or takes over) every node and marks it Ready; blocks until done. */
    void register() {
        registeredAt = Instant.now();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String name : names()) {
            all.add(api.submit(new ApiWriter.Request("node", "POST", "/api/v1/nodes", "application/json", node(name)))
                    .thenCompose(r -> {
                        if (r.code() == 409) {
                            // A node of an earlier simulator: take it over, dropping its taints.
                            return api.submit(new ApiWriter.Request(
                                    "node", "PATCH", "/api/v1/nodes/" + name, MERGE, "{\"spec\":{\"taints\":null}}"));
                        }
                        return CompletableFuture.completedFuture(r);
                    })
                    .thenCompose(r -> {
                        check(r, "register node " + name);
                        return api.submit(new ApiWriter.Request(
                                "node-status", "PATCH", "/api/v1/nodes/" + name + "/status", MERGE, readyStatus()));
                    })
                    .thenAccept(r -> check(r, "mark node " + name + " Ready")));
        }
        join(all);
    }

    synchronized List<String> names() {
        return List.copyOf(nodes.keySet());
    }

    synchronized boolean owns(String node) {
        return node != null && nodes.containsKey(node);
    }

    synchronized boolean ready(String node) {
        return Boolean.FALSE.equals(nodes.get(node));
    }

    synchronized List<String> readyNodes() {
        return nodes.entrySet().stream()
                .filter(e -> !e.getValue())
                .map(Map.Entry::getKey)
                .toList();
    }

    /** Marks {@code node} lost; returns false if it is not ours or already lost. */
    synchronized boolean markLost(String node) {
        if (!Boolean.FALSE.equals(nodes.get(node))) {
            return false;
        }
        nodes.put(node, true);
        return true;
    }

    /** What the node lifecycle controller writes for a node whose kubelet went silent. */
    CompletableFuture<Void> writeLost(String node) {
        Instant now = Instant.now();
        ObjectNode status = F.objectNode();
        ArrayNode conditions = status.putObject("status").putArray("conditions");
        for (String type : List.of("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")) {
            ObjectNode c = conditions.addObject();
            c.put("type", type);
            c.put("status", "Unknown");
            c.put("reason", "NodeStatusUnknown");
            c.put("message", "Kubelet stopped posting node status.");
            c.put("lastHeartbeatTime", KubeTime.seconds(registeredAt));
            c.put("lastTransitionTime", KubeTime.seconds(now));
        }
        ObjectNode spec = F.objectNode();
        ArrayNode taints = spec.putObject("spec").putArray("taints");
        taints.addObject().put("key", "node.kubernetes.io/unreachable").put("effect", "NoSchedule");
        taints.addObject()
                .put("key", "node.kubernetes.io/unreachable")
                .put("effect", "NoExecute")
                .put("timeAdded", KubeTime.seconds(now));
        return api.submit(new ApiWriter.Request(
                        "node-status", "PATCH", "/api/v1/nodes/" + node + "/status", MERGE, status.toString()))
                .thenCompose(r -> {
                    check(r, "mark node " + node + " NotReady");
                    return api.submit(
                            new ApiWriter.Request("node", "PATCH", "/api/v1/nodes/" + node, MERGE, spec.toString()));
                })
                .thenAccept(r -> check(r, "taint node " + node));
    }

    /** Deletes the nodes; waits a little, as this runs on close. */
    void delete() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String name : names()) {
            all.add(api.submit(new ApiWriter.Request("node", "DELETE", "/api/v1/nodes/" + name, null, null))
                    .thenAccept(r -> {
                        if (!r.ok() && r.code() != 404) {
                            log.warn("could not delete node {}: {} {}", name, r.code(), r.body());
                        }
                    }));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("nodes not deleted in time: {}", e.toString());
        }
    }

    private String node(String name) {
        ObjectNode n = F.objectNode();
        n.put("apiVersion", "v1");
        n.put("kind", "Node");
        ObjectNode meta = n.putObject("metadata");
        meta.put("name", name);
        ObjectNode labels = meta.putObject("labels");
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("drover.dev/simulated", "true");
        meta.putObject("annotations").put("node.alpha.kubernetes.io/ttl", "0");
        n.putObject("spec");
        return n.toString();
    }

    private String readyStatus() {
        String now = KubeTime.seconds(registeredAt);
        ObjectNode root = F.objectNode();
        ObjectNode s = root.putObject("status");
        for (String field : List.of("capacity", "allocatable")) {
            s.putObject(field)
                    .put("cpu", "1000")
                    .put("memory", "4Ti")
                    .put("pods", "100000")
                    .put("ephemeral-storage", "10Ti");
        }
        ArrayNode conditions = s.putArray("conditions");
        String[][] rows = {
            {"MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"},
            {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
            {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
            {"Ready", "True", "KubeletReady", "kubelet is posting ready status"}
        };
        for (String[] row : rows) {
            conditions
                    .addObject()
                    .put("type", row[0])
                    .put("status", row[1])
                    .put("reason", row[2])
                    .put("message", row[3])
                    .put("lastHeartbeatTime", now)
                    .put("lastTransitionTime", now);
        }
        // InternalIP only: a Hostname address would be tried first and not resolve.
        s.putArray("addresses").addObject().put("type", "InternalIP").put("address", KubeletStatus.HOST_IP);
        s.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", kubeletPort);
        ObjectNode info = s.putObject("nodeInfo");
        String id = UUID.randomUUID().toString();
        info.put("machineID", id.replace("-", ""));
        info.put("systemUUID", id);
        info.put("bootID", UUID.randomUUID().toString());
        info.put("kernelVersion", System.getProperty("os.version"));
        info.put("osImage", "Drover simulated node");
        info.put("containerRuntimeVersion", "sim://1.0.0");
        info.put("kubeletVersion", "v1.20.2");
        info.put("kubeProxyVersion", "v1.20.2");
        info.put("operatingSystem", "linux");
        info.put("architecture", "amd64");
        return root.toString();
    }

    private static void check(ApiWriter.Reply r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException("could not " + what + ": HTTP " + r.code() + " " + r.body());
        }
    }

    private static void join(List<CompletableFuture<Void>> all) {
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        } catch (Exception e) {
            throw new IllegalStateException("registering the simulated nodes failed: " + e, e);
        }
    }
}
