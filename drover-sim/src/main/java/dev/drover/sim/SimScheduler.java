package dev.drover.sim;

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
        String behavior = annotation(pod);
        Duration delay = behavior == null || !behavior.contains("bind-delay")
                ? Duration.ZERO
                : BehaviorGrammar.parse(behavior).behavior().bindDelay();
        if (delay.isZero()) {
            bind(pod);
        } else {
            loop.schedule(delay, () -> bind(pod));
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
