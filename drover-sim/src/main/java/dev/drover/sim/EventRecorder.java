package dev.drover.sim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kubelet- and scheduler-style core/v1 Events about pods. Like client-go's event correlator, an
 * event identical to an earlier one (same source, object, field path, type, reason and message)
 * bumps that Event's {@code count} and {@code lastTimestamp} with a patch instead of making a new
 * object.
 */
final class EventRecorder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Names are {@code <pod>.<hex nanos>} like client-go's; kept strictly increasing so they sort by time. */
    private static final AtomicLong LAST_NANOS = new AtomicLong();

    private EventRecorder() {}

    /** Queues a kubelet event on the pod's serial writes; {@code c} null means the pod itself. */
    static void kubelet(PodState ps, ContainerRun c, String type, String reason, String message, Instant now) {
        String fieldPath = c == null ? null : c.fieldPath();
        String key = String.join("\u0000", type, reason, message, fieldPath == null ? "" : fieldPath);
        PodState.EventSeries series = ps.events.get(key);
        if (series != null) {
            series.count++;
            ObjectNode patch = F.objectNode();
            patch.put("count", series.count);
            patch.put("lastTimestamp", KubeTime.seconds(now));
            patch.put("message", message);
            String path = "/api/v1/namespaces/" + ps.namespace + "/events/" + series.name;
            int count = series.count;
            ps.writes.add(
                    new ApiWriter.Request(
                            "event-patch", "PATCH", path, "application/strategic-merge-patch+json", patch.toString()),
                    reply -> {
                        if (reply.code() == 404) {
                            // The Event expired or was deleted: record it anew, keeping the count.
                            ObjectNode again =
                                    event(ps, fieldPath, type, reason, message, series.name, series.first, now);
                            again.put("count", count);
                            ps.writes.addFirst(create(ps.namespace, again), r -> {});
                        }
                    });
            return;
        }
        String name = ps.name + "." + Long.toHexString(uniqueNanos(now));
        ps.events.put(key, new PodState.EventSeries(name, now));
        ps.writes.add(create(ps.namespace, event(ps, fieldPath, type, reason, message, name, now, now)), r -> {});
    }

    /** The scheduler's {@code Scheduled} event for a pod it just bound. */
    static ApiWriter.Request scheduled(Pod pod, String node, Instant now) {
        String ns = pod.getMetadata().getNamespace();
        return scheduler(
                pod,
                "Normal",
                "Scheduled",
                "Successfully assigned " + ns + "/" + pod.getMetadata().getName() + " to " + node,
                now);
    }

    /** An event of the {@code default-scheduler} about {@code pod}. */
    static ApiWriter.Request scheduler(Pod pod, String type, String reason, String message, Instant now) {
        String ns = pod.getMetadata().getNamespace();
        String podName = pod.getMetadata().getName();
        ObjectNode e = F.objectNode();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        e.putObject("metadata")
                .put("name", podName + "." + Long.toHexString(uniqueNanos(now)))
                .put("namespace", ns);
        ObjectNode obj = e.putObject("involvedObject");
        obj.put("kind", "Pod");
        obj.put("namespace", ns);
        obj.put("name", podName);
        obj.put("uid", pod.getMetadata().getUid());
        obj.put("apiVersion", "v1");
        obj.put("resourceVersion", pod.getMetadata().getResourceVersion());
        e.put("reason", reason);
        e.put("message", message);
        e.putObject("source").put("component", "default-scheduler");
        e.put("firstTimestamp", KubeTime.seconds(now));
        e.put("lastTimestamp", KubeTime.seconds(now));
        e.put("count", 1);
        e.put("type", type);
        return create(ns, e);
    }

    private static ObjectNode event(
            PodState ps,
            String fieldPath,
            String type,
            String reason,
            String message,
            String name,
            Instant first,
            Instant now) {
        ObjectNode e = F.objectNode();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        e.putObject("metadata").put("name", name).put("namespace", ps.namespace);
        ObjectNode obj = e.putObject("involvedObject");
        obj.put("kind", "Pod");
        obj.put("namespace", ps.namespace);
        obj.put("name", ps.name);
        obj.put("uid", ps.uid);
        obj.put("apiVersion", "v1");
        obj.put("resourceVersion", ps.resourceVersion());
        if (fieldPath != null) {
            obj.put("fieldPath", fieldPath);
        }
        e.put("reason", reason);
        e.put("message", message);
        e.putObject("source").put("component", "kubelet").put("host", ps.node);
        e.put("firstTimestamp", KubeTime.seconds(first));
        e.put("lastTimestamp", KubeTime.seconds(now));
        e.put("count", 1);
        e.put("type", type);
        return e;
    }

    private static ApiWriter.Request create(String namespace, ObjectNode event) {
        return new ApiWriter.Request(
                "event", "POST", "/api/v1/namespaces/" + namespace + "/events", "application/json", event.toString());
    }

    private static long uniqueNanos(Instant now) {
        long t = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return LAST_NANOS.updateAndGet(last -> Math.max(last + 1, t));
    }
}
