package dev.drover.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * The lean view of a core/v1 Event: what happened to which object, how often, when. A repeated
 * event keeps its uid and raises {@code count}.
 */
public record EventView(
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        String involvedKind,
        String involvedName,
        String involvedUid,
        String fieldPath,
        String type,
        String reason,
        String message,
        int count,
        Instant firstTimestamp,
        Instant lastTimestamp,
        String source)
        implements KubeObject {

    public static final List<String> FIELDS = List.of(
            "involvedObject",
            "type",
            "reason",
            "message",
            "count",
            "firstTimestamp",
            "lastTimestamp",
            "eventTime",
            "source.component");

    public static final Projection<EventView> PROJECTION = Projection.of(FIELDS, EventView::from);

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
}
