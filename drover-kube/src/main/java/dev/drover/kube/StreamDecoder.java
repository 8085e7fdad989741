package dev.drover.kube;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Decodes list bodies and watch streams straight from the socket, one object at a time. */
final class StreamDecoder<T extends KubeObject> {
    static final JsonFactory FACTORY = new JsonFactory();
    static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";
    private static final PrunedReader BOOKMARK = PrunedReader.of(List.of("metadata.annotations"));
    private static final PrunedReader STATUS = PrunedReader.of(List.of("code", "reason", "message", "details"));

    private final Projection<T> projection;

    StreamDecoder(Projection<T> projection) {
        this.projection = projection;
    }

    ListPage<T> readList(InputStream in) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a list body must be a JSON object");
            }
            List<T> items = new ArrayList<>();
            String rv = null;
            String cont = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("items") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        items.add(projection.decode(p));
                    }
                } else if (field.equals("metadata") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String m = p.currentName();
                        p.nextToken();
                        switch (m) {
                            case "resourceVersion" -> rv = p.getText();
                            case "continue" -> cont = p.getText();
                            default -> p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new ListPage<>(items, rv, cont);
        }
    }

    /** Opens a parser over a watch body: a sequence of {"type":…,"object":…} objects. */
    JsonParser watchParser(InputStream in) throws IOException {
        return FACTORY.createParser(in);
    }

    /** The next event, or null at the end of the stream. */
    @Nullable
    WatchEvent<T> next(JsonParser p) throws IOException {
        JsonToken start = p.nextToken();
        if (start == null) {
            return null;
        }
        if (start != JsonToken.START_OBJECT) {
            throw new IOException("unexpected token in watch stream: " + start);
        }
        String type = null;
        WatchEvent<T> event = null;
        JsonNode early = null; // an object that came before its type (not seen from kube-apiserver)
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("type")) {
                type = p.getText();
            } else if (field.equals("object") && type != null) {
                event = decodeObject(type, p);
            } else if (field.equals("object")) {
                early = PrunedReader.readAll(p);
            } else {
                p.skipChildren();
            }
        }
        if (event == null && early != null && type != null) {
            // Rare path: re-read the buffered object through the projection.
            try (JsonParser again = FACTORY.createParser(early.toString().getBytes(StandardCharsets.UTF_8))) {
                again.nextToken();
                event = decodeObject(type, again);
            }
        }
        if (event == null) {
            throw new IOException("watch event without type or object");
        }
        return event;
    }

    private WatchEvent<T> decodeObject(String type, JsonParser p) throws IOException {
        return switch (type) {
            case "ADDED" -> new WatchEvent.Added<>(projection.decode(p));
            case "MODIFIED" -> new WatchEvent.Modified<>(projection.decode(p));
            case "DELETED" -> new WatchEvent.Deleted<>(projection.decode(p));
            case "BOOKMARK" -> {
                JsonNode meta = BOOKMARK.read(p).path("metadata");
                yield new WatchEvent.Bookmark<>(
                        meta.path("resourceVersion").asText(),
                        "true"
                                .equals(meta.path("annotations")
                                        .path(INITIAL_EVENTS_END)
                                        .asText()));
            }
            case "ERROR" -> {
                JsonNode s = STATUS.read(p);
                yield new WatchEvent.Error<>(KubeApi.statusError(
                        s.path("code").asInt(500), s.toString().getBytes(StandardCharsets.UTF_8), null));
            }
            default -> throw new IOException("unknown watch event type " + type);
        };
    }
}
