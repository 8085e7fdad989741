package dev.drover.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The pod status a kubelet (v1.20) would report for a {@link PodState}: phase by the kubelet's
 * {@code getPhase} with restartPolicy Never, the Initialized / Ready / ContainersReady /
 * PodScheduled conditions with its reasons and messages, and container statuses. Produced as a JSON
 * merge patch that replaces every field the kubelet owns and carries {@code metadata.uid} as a
 * precondition, as the kubelet's own status patch does.
 */
final class KubeletStatus {
    static final String HOST_IP = "127.0.0.1";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> KUBELET_CONDITIONS =
            Set.of("Initialized", "Ready", "ContainersReady", "PodScheduled");

    static final String DISRUPTION_TARGET = "DisruptionTarget";

    private KubeletStatus() {}

    /** The kubelet's {@code getPhase} for restartPolicy Never, unless a pod-level outcome overrides it. */
    static String phase(PodState ps) {
        if (ps.phaseOverride != null) {
            return ps.phaseOverride;
        }
        int pendingInit = 0;
        for (ContainerRun c : ps.init) {
            if (c.terminated()) {
                if (c.exitCode != 0) {
                    return "Failed";
                }
            } else {
                pendingInit++;
            }
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerRun c : ps.main) {
            switch (c.state) {
                case RUNNING -> running++;
                case TERMINATED -> {
                    stopped++;
                    if (c.exitCode == 0) {
                        succeeded++;
                    }
                }
                case WAITING -> waiting++;
            }
        }
        if (pendingInit > 0 || waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            return stopped == succeeded ? "Succeeded" : "Failed";
        }
        return "Pending";
    }

    /** The merge patch for {@code pods/<p>/status}; records condition transition times in {@code ps}. */
    static ObjectNode patch(PodState ps, Instant now) {
        ObjectNode root = F.objectNode();
        root.putObject("metadata").put("uid", ps.uid);
        ObjectNode status = root.putObject("status");
        String phase = phase(ps);
        status.put("phase", phase);
        putOrNull(status, "reason", ps.reason);
        putOrNull(status, "message", ps.message);
        if (ps.statusWithoutContainers) {
            return root; // a provider failure or an admission rejection reports no containers
        }
        status.set("conditions", conditions(ps, phase, now));
        status.put("hostIP", HOST_IP);
        if (ps.podIP != null) {
            status.put("podIP", ps.podIP);
            status.putArray("podIPs").addObject().put("ip", ps.podIP);
        }
        if (ps.startTime != null) {
            status.put("startTime", KubeTime.seconds(ps.startTime));
        }
        boolean hasInit = !ps.init.isEmpty();
        if (hasInit) {
            status.set("initContainerStatuses", containerStatuses(ps.init, true));
        }
        status.set("containerStatuses", containerStatuses(ps.main, hasInit));
        return root;
    }

    private static ArrayNode conditions(PodState ps, String phase, Instant now) {
        ArrayNode out = F.arrayNode();
        boolean succeeded = phase.equals("Succeeded");

        List<String> incomplete =
                ps.init.stream().filter(c -> !c.succeeded()).map(c -> c.name).toList();
        if (succeeded) {
            out.add(condition(ps, "Initialized", "True", "PodCompleted", null, now));
        } else if (incomplete.isEmpty()) {
            out.add(condition(ps, "Initialized", "True", null, null, now));
        } else {
            out.add(condition(
                    ps,
                    "Initialized",
                    "False",
                    "ContainersNotInitialized",
                    "containers with incomplete status: " + goList(incomplete),
                    now));
        }

        List<String> unready =
                ps.main.stream().filter(c -> !c.running()).map(c -> c.name).toList();
        for (String type : List.of("Ready", "ContainersReady")) {
            if (succeeded) {
                out.add(condition(ps, type, "False", "PodCompleted", null, now));
            } else if (unready.isEmpty()) {
                out.add(condition(ps, type, "True", null, null, now));
            } else {
                out.add(condition(
                        ps,
                        type,
                        "False",
                        "ContainersNotReady",
                        "containers with unready status: " + goList(unready),
                        now));
            }
        }
        out.add(condition(ps, "PodScheduled", "True", null, null, now));
        if (ps.disruptionReason != null) {
            out.add(condition(ps, DISRUPTION_TARGET, "True", ps.disruptionReason, ps.disruptionMessage, now));
        }

        // Conditions other writers own (readiness gates, ...) are kept as they are.
        if (ps.latest.getStatus() != null && ps.latest.getStatus().getConditions() != null) {
            for (PodCondition c : ps.latest.getStatus().getConditions()) {
                boolean ours = KUBELET_CONDITIONS.contains(c.getType())
                        || (ps.disruptionReason != null && DISRUPTION_TARGET.equals(c.getType()));
                if (!ours) {
                    ObjectNode n = out.addObject();
                    n.put("type", c.getType());
                    n.put("status", c.getStatus());
                    putOrNull(n, "lastProbeTime", c.getLastProbeTime());
                    putOrNull(n, "lastTransitionTime", c.getLastTransitionTime());
                    putOrNull(n, "reason", c.getReason());
                    putOrNull(n, "message", c.getMessage());
                }
            }
        }
        return out;
    }

    private static ObjectNode condition(
            PodState ps, String type, String status, String reason, String message, Instant now) {
        PodState.ConditionMark mark = ps.conditions.get(type);
        if (mark == null || !mark.status().equals(status)) {
            mark = new PodState.ConditionMark(status, now);
            ps.conditions.put(type, mark);
        }
        ObjectNode n = F.objectNode();
        n.put("type", type);
        n.put("status", status);
        n.putNull("lastProbeTime");
        n.put("lastTransitionTime", KubeTime.seconds(mark.since()));
        if (reason != null) {
            n.put("reason", reason);
        }
        if (message != null) {
            n.put("message", message);
        }
        return n;
    }

    private static ArrayNode containerStatuses(List<ContainerRun> runs, boolean podInitializing) {
        ArrayNode out = F.arrayNode();
        for (ContainerRun c : runs) {
            ObjectNode n = out.addObject();
            n.put("name", c.name);
            ObjectNode state = n.putObject("state");
            switch (c.state) {
                case WAITING -> {
                    ObjectNode w = state.putObject("waiting");
                    // The kubelet's default waiting reason, until a pull or create error says more.
                    w.put(
                            "reason",
                            c.waitingReason != null
                                    ? c.waitingReason
                                    : podInitializing ? "PodInitializing" : "ContainerCreating");
                    if (c.waitingMessage != null) {
                        w.put("message", c.waitingMessage);
                    }
                }
                case RUNNING -> state.putObject("running").put("startedAt", KubeTime.seconds(c.startedAt));
                case TERMINATED -> {
                    ObjectNode t = state.putObject("terminated");
                    t.put("exitCode", c.exitCode);
                    t.put("reason", c.terminatedReason);
                    if (c.terminatedMessage != null) {
                        t.put("message", c.terminatedMessage);
                    }
                    // A container that never started has no times and no ID, as the kubelet reports it.
                    if (c.startedAt != null) {
                        t.put("startedAt", KubeTime.seconds(c.startedAt));
                        t.put("finishedAt", KubeTime.seconds(c.finishedAt));
                        t.put("containerID", c.containerId);
                    } else {
                        t.putNull("startedAt");
                        t.putNull("finishedAt");
                    }
                }
            }
            n.putObject("lastState");
            // Init containers are ready once they succeeded; main containers while they run.
            n.put("ready", c.init ? c.succeeded() : c.running());
            n.put("restartCount", 0);
            n.put("image", c.image);
            n.put("imageID", c.imageId == null ? "" : c.imageId);
            if (c.containerId != null) {
                n.put("containerID", c.containerId);
            }
            if (!c.init) {
                n.put("started", c.running());
            }
        }
        return out;
    }

    /** Go's {@code %s} of a string slice: {@code [a b]}. */
    static String goList(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    private static void putOrNull(ObjectNode n, String field, String value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, value);
        }
    }
}
