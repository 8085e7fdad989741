package dev.drover.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The lean view of a Pod that Drover tracks: identity, labels, deletion, phase and the states of
 * its containers (init containers separately), which init containers are native sidecars, and why
 * the scheduler has not placed it. Everything else of the pod is never decoded.
 *
 * @param sidecars names of the init containers declared with {@code restartPolicy: Always} (native
 *     sidecars: they run beside the main containers and are stopped after them)
 * @param notScheduledReason the PodScheduled condition's reason while it is False ({@code
 *     Unschedulable}, {@code SchedulingGated}); null when scheduled or not yet looked at
 * @param notScheduledMessage the scheduler's message with it
 * @param disruptionReason the DisruptionTarget condition's reason while it is True: the pod is being
 *     ended by the cluster, not by its work ({@code PreemptionByScheduler}, {@code
 *     DeletionByTaintManager}, {@code EvictionByEvictionAPI}, {@code DeletionByPodGC}, {@code
 *     TerminationByKubelet}); null when there is none
 * @param disruptionMessage the condition's message
 * @param finalizers the pod's finalizers (a pod being deleted stays until they are all removed)
 * @param deletionFinal the deletion has no grace left ({@code deletionGracePeriodSeconds: 0}): the
 *     kubelet (or the apiserver, for a pod never run) is done with it; only finalizers hold it
 */
public record PodView(
        @Nullable String namespace,
        String name,
        String uid,
        String resourceVersion,
        Map<String, String> labels,
        boolean deleting,
        @Nullable String nodeName,
        @Nullable String phase,
        @Nullable String reason,
        @Nullable String message,
        List<ContainerView> initContainers,
        List<ContainerView> containers,
        Set<String> sidecars,
        @Nullable String notScheduledReason,
        @Nullable String notScheduledMessage,
        @Nullable String disruptionReason,
        @Nullable String disruptionMessage,
        List<String> finalizers,
        boolean deletionFinal)
        implements KubeObject {

    public PodView {
        sidecars = sidecars == null || sidecars.isEmpty() ? Set.of() : Set.copyOf(sidecars);
        finalizers = finalizers == null || finalizers.isEmpty() ? List.of() : List.copyOf(finalizers);
    }

    /** Whether the pod carries {@code finalizer}. */
    public boolean hasFinalizer(String finalizer) {
        return finalizers.contains(finalizer);
    }

    /** The same pod with these finalizers and deletion state (tests and fakes). */
    public PodView withDeletion(List<String> finalizers, boolean deleting, boolean deletionFinal) {
        return new PodView(
                namespace,
                name,
                uid,
                resourceVersion,
                labels,
                deleting,
                nodeName,
                phase,
                reason,
                message,
                initContainers,
                containers,
                sidecars,
                notScheduledReason,
                notScheduledMessage,
                disruptionReason,
                disruptionMessage,
                finalizers,
                deletionFinal);
    }

    /**
     * A pod without sidecars or finalizers that the scheduler has not turned down nor the cluster
     * disrupted (tests and fakes).
     */
    public PodView(
            @Nullable String namespace,
            String name,
            String uid,
            String resourceVersion,
            Map<String, String> labels,
            boolean deleting,
            @Nullable String nodeName,
            @Nullable String phase,
            @Nullable String reason,
            @Nullable String message,
            List<ContainerView> initContainers,
            List<ContainerView> containers) {
        this(
                namespace,
                name,
                uid,
                resourceVersion,
                labels,
                deleting,
                nodeName,
                phase,
                reason,
                message,
                initContainers,
                containers,
                Set.of(),
                null,
                null,
                null,
                null,
                List.of(),
                false);
    }

    /** Whether {@code container} is an init container that is a native sidecar. */
    public boolean isSidecar(String container) {
        return sidecars.contains(container);
    }

    /** The fields the projection reads. */
    static final List<String> FIELDS = List.of(
            "metadata.labels",
            "metadata.deletionTimestamp",
            "metadata.deletionGracePeriodSeconds",
            "metadata.finalizers",
            "spec.nodeName",
            "spec.initContainers.name",
            "spec.initContainers.restartPolicy",
            "status.conditions",
            "status.phase",
            "status.reason",
            "status.message",
            "status.initContainerStatuses",
            "status.containerStatuses");

    /** How {@code Informer.pods} decodes pods; also reads one pod of a GET. */
    public static final Projection<PodView> PROJECTION = Projection.of(FIELDS, PodView::from);

    /** One container's status; {@code state} is waiting, running, terminated or unknown. */
    public record ContainerView(
            String name,
            String state,
            @Nullable String reason,
            @Nullable String message,
            @Nullable Integer exitCode,
            boolean ready,
            int restartCount,
            @Nullable Instant startedAt,
            @Nullable Instant finishedAt) {

        static ContainerView from(JsonNode c) {
            JsonNode st = c.path("state");
            String state = st.has("terminated")
                    ? "terminated"
                    : st.has("running") ? "running" : st.has("waiting") ? "waiting" : "unknown";
            JsonNode s = st.path(state);
            return new ContainerView(
                    text(c, "name"),
                    state,
                    text(s, "reason"),
                    text(s, "message"),
                    s.has("exitCode") ? s.get("exitCode").asInt() : null,
                    c.path("ready").asBoolean(false),
                    c.path("restartCount").asInt(0),
                    instant(s, "startedAt"),
                    instant(s, "finishedAt"));
        }
    }

    static PodView from(JsonNode o) {
        JsonNode meta = o.path("metadata");
        JsonNode status = o.path("status");
        return new PodView(
                intern(text(meta, "namespace")),
                text(meta, "name"),
                text(meta, "uid"),
                text(meta, "resourceVersion"),
                stringMap(meta.path("labels")),
                meta.hasNonNull("deletionTimestamp"),
                intern(text(o.path("spec"), "nodeName")),
                intern(text(status, "phase")),
                intern(text(status, "reason")),
                text(status, "message"),
                containers(status.path("initContainerStatuses")),
                containers(status.path("containerStatuses")),
                sidecars(o.path("spec").path("initContainers")),
                intern(notScheduled(status, "reason")),
                notScheduled(status, "message"),
                intern(condition(status, "DisruptionTarget", "True", "reason")),
                condition(status, "DisruptionTarget", "True", "message"),
                finalizers(meta.path("finalizers")),
                meta.hasNonNull("deletionTimestamp")
                        && meta.path("deletionGracePeriodSeconds").asLong(-1) == 0);
    }

    /** Finalizer names repeat across every pod: one interned list for each usual set. */
    private static List<String> finalizers(JsonNode arr) {
        if (!arr.isArray() || arr.isEmpty()) {
            return List.of();
        }
        if (arr.size() == 1) {
            String only = intern(arr.get(0).asText());
            return ONE_FINALIZER.size() > 1000 ? List.of(only) : ONE_FINALIZER.computeIfAbsent(only, List::of);
        }
        List<String> out = new ArrayList<>(arr.size());
        arr.forEach(f -> out.add(intern(f.asText())));
        return List.copyOf(out);
    }

    private static final Map<String, List<String>> ONE_FINALIZER = new ConcurrentHashMap<>();

    private static Set<String> sidecars(JsonNode initContainers) {
        if (!initContainers.isArray() || initContainers.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        initContainers.forEach(c -> {
            if ("Always".equals(text(c, "restartPolicy")) && text(c, "name") != null) {
                out.add(text(c, "name"));
            }
        });
        return out;
    }

    /** A field of the PodScheduled condition while its status is False. */
    private static @Nullable String notScheduled(JsonNode status, String field) {
        return condition(status, "PodScheduled", "False", field);
    }

    /** A field of the condition of {@code type} while its status is {@code value}. */
    private static @Nullable String condition(JsonNode status, String type, String value, String field) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(text(c, "type")) && value.equals(text(c, "status"))) {
                return text(c, field);
            }
        }
        return null;
    }

    private static List<ContainerView> containers(JsonNode arr) {
        if (!arr.isArray() || arr.isEmpty()) {
            return List.of();
        }
        List<ContainerView> out = new ArrayList<>(arr.size());
        arr.forEach(c -> out.add(ContainerView.from(c)));
        return List.copyOf(out);
    }

    static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static @Nullable Instant instant(JsonNode n, String field) {
        String v = text(n, field);
        return v == null || v.isEmpty() ? null : Instant.parse(v);
    }

    static Map<String, String> stringMap(JsonNode n) {
        if (!n.isObject() || n.isEmpty()) {
            return Map.of();
        }
        Map<String, String> m = new HashMap<>(n.size() * 2);
        n.properties()
                .forEach(e -> m.put(intern(e.getKey()), internShort(e.getValue().asText())));
        return Map.copyOf(m); // array-backed, the smallest immutable map
    }

    private static final Map<String, String> INTERNED = new ConcurrentHashMap<>();

    /** Namespaces, phases, label keys repeat across 100k objects: keep one copy of each. */
    static @Nullable String intern(@Nullable String s) {
        if (s == null) {
            return null;
        }
        if (INTERNED.size() > 50_000) {
            return s; // a bound, in case someone feeds us unbounded distinct values
        }
        String prior = INTERNED.putIfAbsent(s, s);
        return prior == null ? s : prior;
    }

    /** Label values: short ones repeat (owner ids, "true"); long ones are usually unique. */
    private static String internShort(String s) {
        return s.length() <= 16 ? intern(s) : s;
    }
}
