package dev.drover.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler half: binds each pending pod of the watched namespaces to the least loaded Ready
 * node with a Binding (after the pod's {@code bind-delay}), and, in full fidelity, writes the
 * {@code Scheduled} event. Runs on the simulator's loop thread.
 */
final class SimScheduler {
    private static final Logger log = LoggerFactory.getLogger(SimScheduler.class);
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final SimLoop loop;
    private final ApiWriter api;
    private final SimNodes nodes;
    private final SimCounters counters;
    private final boolean events;
    private final ToIntFunction<String> runningOn;
    /** Pods being bound (or bound but not yet seen so on the watch) → their node, once chosen. */
    private final Map<String, String> binding = new HashMap<>();
    /** Binds per node not yet seen by the kubelet side, to spread a burst of pods. */
    private final Map<String, Integer> inFlight = new HashMap<>();

    SimScheduler(
            SimLoop loop,
            ApiWriter api,
            SimNodes nodes,
            SimCounters counters,
            boolean events,
            ToIntFunction<String> runningOn) {
        this.loop = loop;
        this.api = api;
        this.nodes = nodes;
        this.counters = counters;
        this.events = events;
        this.runningOn = runningOn;
    }

    /** A pod without a node appeared or changed. */
    void pending(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (pod.getMetadata().getDeletionTimestamp() != null || binding.containsKey(uid)) {
            return;
        }
        binding.put(uid, "");
        String annotation = annotation(pod);
        // Most pods say nothing to the scheduler: skip the parse (the kubelet side parses anyway).
        boolean forUs = annotation != null
                && (annotation.contains("bind-delay")
                        || annotation.contains("scheduling-gate")
                        || annotation.contains("unschedulable"));
        Behavior behavior = forUs ? BehaviorGrammar.parse(annotation).behavior() : Behavior.DEFAULT;
        Runnable bindAfterDelay = () -> {
            if (behavior.bindDelay().isZero()) {
                bind(pod);
            } else {
                loop.schedule(behavior.bindDelay(), () -> bind(pod));
            }
        };
        Runnable unschedulable = behavior.unschedulable().isEmpty()
                ? bindAfterDelay
                : () -> hold(pod, Hold.UNSCHEDULABLE, behavior.unschedulable().get(), bindAfterDelay);
        if (behavior.schedulingGate().isPresent()) {
            hold(pod, Hold.SCHEDULING_GATED, behavior.schedulingGate().get(), unschedulable);
        } else {
            unschedulable.run();
        }
    }

    /** Why the scheduler does not bind a pod yet, as its {@code PodScheduled} condition says. */
    private enum Hold {
        SCHEDULING_GATED,
        UNSCHEDULABLE
    }

    /**
     * Keeps the pod unbound for {@code duration} ({@link Behavior#FOREVER}: until deleted), saying
     * why in its {@code PodScheduled} condition (and, when unschedulable, a {@code FailedScheduling}
     * event), then goes on with {@code next}.
     */
    private void hold(Pod pod, Hold why, Duration duration, Runnable next) {
        String uid = pod.getMetadata().getUid();
        if (!binding.containsKey(uid)) {
            return; // deleted meanwhile
        }
        int nodeCount = nodes.names().size();
        String reason;
        String message;
        if (why == Hold.SCHEDULING_GATED) {
            // What the apiserver (1.26+) writes for a pod created with spec.schedulingGates.
            reason = "SchedulingGated";
            message = "Scheduling is blocked due to non-empty scheduling gates";
        } else {
            reason = "Unschedulable";
            message = "0/" + nodeCount + " nodes are available: " + nodeCount + " Insufficient cpu.";
        }
        Instant now = Instant.now();
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("metadata").put("uid", uid);
        var conditions = patch.putObject("status").putArray("conditions");
        ObjectNode c = conditions.addObject();
        c.put("type", "PodScheduled");
        c.put("status", "False");
        c.putNull("lastProbeTime");
        c.put("lastTransitionTime", KubeTime.seconds(now));
        c.put("reason", reason);
        c.put("message", message);
        // A merge patch replaces the list: keep what other writers put there.
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            pod.getStatus().getConditions().stream()
                    .filter(other -> !"PodScheduled".equals(other.getType()))
                    .forEach(other -> conditions.add(JSON.valueToTree(other)));
        }
        String path = "/api/v1/namespaces/" + ns(pod) + "/pods/" + name(pod) + "/status";
        api.submit(new ApiWriter.Request("status", "PATCH", path, "application/merge-patch+json", patch.toString()));
        if (why == Hold.UNSCHEDULABLE && events) {
            api.submit(EventRecorder.scheduler(pod, "Warning", "FailedScheduling", message, now));
        }
        if (!duration.equals(Behavior.FOREVER)) {
            loop.schedule(duration, next);
        }
    }

    /** A pod now has a node (or is gone): it no longer needs binding. */
    void forget(String uid) {
        unassign(binding.remove(uid));
    }

    private void unassign(String node) {
        if (node != null && !node.isEmpty()) {
            inFlight.computeIfPresent(node, (k, v) -> v > 1 ? v - 1 : null);
        }
    }

    private void bind(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (!binding.containsKey(uid)) {
            return; // deleted during the bind delay
        }
        List<String> ready = nodes.readyNodes();
        if (ready.isEmpty()) {
            log.warn("no Ready simulated node for pod {}/{}; it stays Pending", ns(pod), name(pod));
            return;
        }
        String node = ready.stream()
                .min(Comparator.comparingInt(n -> runningOn.applyAsInt(n) + inFlight.getOrDefault(n, 0)))
                .orElseThrow();
        inFlight.merge(node, 1, Integer::sum);
        binding.put(uid, node);
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("apiVersion", "v1");
        b.put("kind", "Binding");
        b.putObject("metadata").put("name", name(pod)).put("uid", uid);
        b.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
        // Made now so its name (time-ordered) sorts before the kubelet's events about the pod.
        ApiWriter.Request scheduled = events ? EventRecorder.scheduled(pod, node, Instant.now()) : null;
        String path = "/api/v1/namespaces/" + ns(pod) + "/pods/" + name(pod) + "/binding";
        api.submit(new ApiWriter.Request("binding", "POST", path, "application/json", b.toString()))
                .thenAccept(r -> loop.execute(() -> bound(pod, node, r, scheduled)));
    }

    private void bound(Pod pod, String node, ApiWriter.Reply r, ApiWriter.Request scheduled) {
        if (r.ok()) {
            counters.bound.increment();
            if (scheduled != null) {
                api.submit(scheduled);
            }
            return;
        }
        // 409: someone bound it first; 404: deleted. Either way the watch tells what happened.
        if (r.code() != 409 && r.code() != 404) {
            log.warn("binding {}/{} to {} failed: {} {}", ns(pod), name(pod), node, r.code(), r.body());
            forget(pod.getMetadata().getUid());
        }
    }

    static String annotation(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a == null ? null : a.get(NodeSimulator.BEHAVIOR_ANNOTATION);
    }

    private static String ns(Pod pod) {
        return pod.getMetadata().getNamespace();
    }

    private static String name(Pod pod) {
        return pod.getMetadata().getName();
    }
}
