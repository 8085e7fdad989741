package dev.drover.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * Turns one object of a list or watch stream into the lean view a consumer keeps. Decoding
 * streams: only the declared fields are materialized, the rest of each object is skipped unread.
 */
public interface Projection<T extends KubeObject> {

    /** Decodes the object whose START_OBJECT the parser is at, consuming it to its END_OBJECT. */
    T decode(JsonParser parser) throws IOException;

    /**
     * A projection over the declared field paths (e.g. {@code "status.phase"}, {@code
     * "metadata.labels"}); {@code metadata.namespace/name/uid/resourceVersion} are always kept. The
     * mapper gets a tree holding only those fields.
     */
    static <T extends KubeObject> Projection<T> of(List<String> paths, Function<JsonNode, T> mapper) {
        PrunedReader reader = PrunedReader.of(paths);
        return parser -> mapper.apply(reader.read(parser));
    }
}
