package dev.drover.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Merges a pod override onto a pod template, like Airflow's {@code pod_override} but predictable:
 *
 * <ul>
 *   <li>objects (maps) merge field by field, recursively;
 *   <li>lists of named items ({@code containers}, {@code initContainers}, {@code env}, {@code
 *       volumes}, {@code volumeMounts}, {@code ports}, …) match items by {@code name}: a matching
 *       item merges, a new one is appended;
 *   <li>other lists are appended to;
 *   <li>scalars are replaced; an explicit {@code null} in the override removes the field.
 * </ul>
 *
 * Pure: neither input is changed.
 */
final class PodMerge {
    private PodMerge() {}

    static JsonNode merge(JsonNode base, JsonNode override) {
        if (override == null || override.isMissingNode()) {
            return base == null ? null : base.deepCopy();
        }
        if (base == null || base.isMissingNode() || base.isNull()) {
            return override.deepCopy();
        }
        if (base.isObject() && override.isObject()) {
            ObjectNode out = ((ObjectNode) base).deepCopy();
            Iterator<Map.Entry<String, JsonNode>> fields = override.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getValue().isNull()) {
                    out.remove(f.getKey());
                } else {
                    out.set(f.getKey(), merge(out.get(f.getKey()), f.getValue()));
                }
            }
            return out;
        }
        if (base.isArray() && override.isArray()) {
            return mergeLists((ArrayNode) base, (ArrayNode) override);
        }
        return override.deepCopy();
    }

    private static ArrayNode mergeLists(ArrayNode base, ArrayNode override) {
        ArrayNode out = base.deepCopy();
        for (JsonNode item : override) {
            String name = item.isObject() && item.hasNonNull("name")
                    ? item.get("name").asText()
                    : null;
            int match = name == null ? -1 : indexByName(out, name);
            if (match >= 0) {
                out.set(match, merge(out.get(match), item));
            } else {
                out.add(item.deepCopy());
            }
        }
        return out;
    }

    private static int indexByName(ArrayNode list, String name) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            if (n.isObject() && name.equals(n.path("name").asText(null))) {
                return i;
            }
        }
        return -1;
    }
}
