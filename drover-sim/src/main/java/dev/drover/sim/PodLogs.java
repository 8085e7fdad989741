package dev.drover.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The container logs of one simulated pod, found by the kubelet server by namespace and name. */
final class PodLogs {
    private final String uid;
    private final String node;
    private final Map<String, ContainerLog> containers = new LinkedHashMap<>();
    private volatile boolean nodeLost;

    private final java.time.Duration answerDelay;

    PodLogs(String uid, String node, List<ContainerLog> logs, java.time.Duration answerDelay) {
        this.uid = uid;
        this.node = node;
        this.answerDelay = answerDelay;
        logs.forEach(l -> containers.put(l.container(), l));
    }

    /** How long the kubelet takes before it answers a log request (behaviour {@code log-delay}). */
    java.time.Duration answerDelay() {
        return answerDelay;
    }

    String uid() {
        return uid;
    }

    String node() {
        return node;
    }

    ContainerLog container(String name) {
        return containers.get(name);
    }

    /** A lost node's kubelet answers nothing; open follows end. */
    void loseNode(java.time.Instant at) {
        nodeLost = true;
        containers.values().forEach(c -> c.finish(at));
    }

    boolean nodeLost() {
        return nodeLost;
    }
}
