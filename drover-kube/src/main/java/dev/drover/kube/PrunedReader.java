package dev.drover.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON object keeping only the fields under the declared paths, skipping everything else
 * without building it. Arrays on a path are kept element by element with the same sub-paths.
 */
final class PrunedReader {
    private static final List<String> IDENTITY =
            List.of("metadata.namespace", "metadata.name", "metadata.uid", "metadata.resourceVersion");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A node of the path tree; {@code whole} keeps the entire subtree. */
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        boolean whole;
    }

    private final Node root = new Node();

    private PrunedReader() {}

    static PrunedReader of(List<String> paths) {
        PrunedReader r = new PrunedReader();
        for (String p : IDENTITY) {
            r.add(p);
        }
        for (String p : paths) {
            if (p == null || p.isBlank() || p.startsWith(".") || p.endsWith(".")) {
                throw new IllegalArgumentException(
                        "projection path '" + p + "' is not a dotted field path such as status.phase");
            }
            r.add(p);
        }
        return r;
    }

    private void add(String path) {
        Node n = root;
        for (String part : path.split("\\.")) {
            if (n.whole) {
                return;
            }
            n = n.children.computeIfAbsent(part, k -> new Node());
        }
        n.whole = true;
        n.children.clear();
    }

    /** The parser is at START_OBJECT; on return it is at the matching END_OBJECT. */
    ObjectNode read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IOException("expected an object, found " + p.currentToken());
        }
        return readObject(p, root);
    }

    /** Reads the whole object the parser is at. */
    static JsonNode readAll(JsonParser p) throws IOException {
        return readWhole(p, p.currentToken());
    }

    private ObjectNode readObject(JsonParser p, Node spec) throws IOException {
        ObjectNode out = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            Node child = spec.children.get(field);
            if (child == null) {
                p.skipChildren();
            } else if (child.whole) {
                out.set(field, readWhole(p, value));
            } else {
                JsonNode kept = readPart(p, value, child);
                if (kept != null) {
                    out.set(field, kept);
                }
            }
        }
        return out;
    }

    private JsonNode readPart(JsonParser p, JsonToken value, Node spec) throws IOException {
        return switch (value) {
            case START_OBJECT -> readObject(p, spec);
            case START_ARRAY -> {
                ArrayNode arr = NODES.arrayNode();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    JsonNode item = readPart(p, t, spec);
                    if (item != null) {
                        arr.add(item);
                    }
                }
                yield arr;
            }
            default -> null; // a scalar where we wanted structure: nothing to keep
        };
    }

    private static JsonNode readWhole(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    o.set(f, readWhole(p, p.nextToken()));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                JsonToken x;
                while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
                    a.add(readWhole(p, x));
                }
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            default -> NODES.nullNode();
        };
    }
}
