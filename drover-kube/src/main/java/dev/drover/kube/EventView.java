package dev.drover.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The lean view of a core/v1 Event: what happened to which object, how often, when. A repeated
 * event keeps its uid and raises {@code count}.
 */
public record EventView(
        @Nullable String namespace,
        String name,
        String uid,
        String resourceVersion,
        @Nullable String involvedKind,
        @Nullable String involvedName,
        @Nullable String involvedUid,
        @Nullable String fieldPath,
        @Nullable String type,
        @Nullable String reason,
        @Nullable String message,
        int count,
        @Nullable Instant firstTimestamp,
        @Nullable Instant lastTimestamp,
        @Nullable String source)
        implements KubeObject {

    static final List<String> FIELDS = List.of(
            "involvedObject",
            "type",
            "reason",
            "message",
            "count",
            "firstTimestamp",
            "lastTimestamp",
            "eventTime",
            "source.component");

    static final Projection<EventView> PROJECTION = Projection.of(FIELDS, EventView::from);

    static EventView from(JsonNode o) {
        JsonNode meta = o.path("metadata");
        JsonNode inv = o.path("involvedObject");
        Instant last = PodView.instant(o, "lastTimestamp");
        return new EventView(
                PodView.intern(PodView.text(meta, "namespace")),
                PodView.text(meta, "name"),
                PodView.text(meta, "uid"),
                PodView.text(meta, "resourceVersion"),
                PodView.intern(PodView.text(inv, "kind")),
                PodView.text(inv, "name"),
                PodView.text(inv, "uid"),
                PodView.text(inv, "fieldPath"),
                PodView.intern(PodView.text(o, "type")),
                PodView.intern(PodView.text(o, "reason")),
                PodView.text(o, "message"),
                o.path("count").asInt(1),
                PodView.instant(o, "firstTimestamp"),
                last != null ? last : PodView.instant(o, "eventTime"),
                PodView.intern(PodView.text(o.path("source"), "component")));
    }

    /**
     * The items of an EventList body (the answer of a list of events), in the server's order. For
     * one-off reads such as a task's events; the watch decodes events as they stream instead.
     */
    public static List<EventView> listOf(java.io.InputStream body) throws java.io.IOException {
        JsonNode items = LIST_READER.readTree(body).path("items");
        List<EventView> out = new java.util.ArrayList<>(items.size());
        items.forEach(item -> out.add(from(item)));
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper LIST_READER =
            new com.fasterxml.jackson.databind.ObjectMapper();
}
