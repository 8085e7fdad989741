package dev.drover.core;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a pod template or override against the Pod schema, as strictly as {@code kubectl apply}
 * with strict validation: every field must be one the Pod API knows, every value of the right
 * kind (object, list, scalar); an error names the path ({@code spec.containers[0].envv}) and, where
 * one is close, the field meant. The schema is read from the Kubernetes model classes of the
 * client library, so it matches the API version Drover speaks.
 */
final class PodSchema {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<Class<?>, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();
    private static final Set<Class<?>> SCALARS = Set.of(Quantity.class, IntOrString.class, Object.class);

    private PodSchema() {}

    /**
     * Checks {@code doc} (a Pod, a PodTemplate, a bare {@code {metadata, spec}} or a bare pod spec)
     * and throws {@link InvalidTaskException} on field {@code field.<path>} for the first fault.
     */
    static void check(String field, JsonNode doc) {
        if (!doc.isObject()) {
            throw new InvalidTaskException(field, "must be a YAML mapping (a Pod), not " + kind(doc));
        }
        String kind = doc.path("kind").asText("");
        Class<?> type;
        if (kind.equals("Pod")) {
            type = Pod.class;
        } else if (kind.equals("PodTemplate")) {
            type = PodTemplate.class;
        } else if (!kind.isEmpty()) {
            throw new InvalidTaskException(
                    field + ".kind",
                    kind + " is not a pod; give a Pod, a PodTemplate or a pod spec"
                            + (kind.equals("Job") || kind.equals("Deployment") || kind.endsWith("Set")
                                    ? " (a " + kind + "'s pods are its spec.template)"
                                    : ""));
        } else if (doc.has("template")) {
            type = PodTemplate.class;
        } else if (doc.has("spec") || doc.has("metadata") || doc.has("apiVersion")) {
            type = Pod.class;
        } else {
            type = PodSpec.class;
        }
        walk(field, "", doc, MAPPER.constructType(type));
    }

    private static void walk(String field, String path, JsonNode node, JavaType type) {
        if (node == null || node.isNull()) {
            return; // in an override, null removes the field
        }
        Class<?> raw = type.getRawClass();
        if (type.isCollectionLikeType() || type.isArrayType()) {
            if (!node.isArray()) {
                throw wrongKind(field, path, "a list", node);
            }
            for (int i = 0; i < node.size(); i++) {
                walk(field, path + "[" + i + "]", node.get(i), type.getContentType());
            }
            return;
        }
        if (type.isMapLikeType()) {
            if (!node.isObject()) {
                throw wrongKind(field, path, "a map", node);
            }
            Iterator<Map.Entry<String, JsonNode>> entries = node.properties().iterator();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> e = entries.next();
                walk(field, join(path, e.getKey()), e.getValue(), type.getContentType());
            }
            return;
        }
        if (isScalar(raw)) {
            if (node.isContainerNode() && !SCALARS.contains(raw)) {
                throw wrongKind(field, path, "a single value", node);
            }
            return;
        }
        if (!node.isObject()) {
            throw wrongKind(field, path, "an object", node);
        }
        Map<String, JavaType> properties = propertiesOf(type);
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JavaType t = properties.get(f.getKey());
            if (t == null) {
                throw new InvalidTaskException(
                        field + "." + join(path, f.getKey()),
                        "unknown field" + suggestion(f.getKey(), properties.keySet()));
            }
            walk(field, join(path, f.getKey()), f.getValue(), t);
        }
    }

    private static boolean isScalar(Class<?> raw) {
        return raw.isPrimitive()
                || raw.isEnum()
                || CharSequence.class.isAssignableFrom(raw)
                || Number.class.isAssignableFrom(raw)
                || raw == Boolean.class
                || SCALARS.contains(raw);
    }

    /** The JSON names of a model class's fields and their types ({@code additionalProperties} is the catch-all, not a field). */
    private static Map<String, JavaType> propertiesOf(JavaType type) {
        return PROPERTIES.computeIfAbsent(type.getRawClass(), c -> {
            Map<String, JavaType> out = new TreeMap<>();
            for (BeanPropertyDefinition p :
                    MAPPER.getDeserializationConfig().introspect(type).findProperties()) {
                if (!p.getName().equals("additionalProperties") && p.getPrimaryType() != null) {
                    out.put(p.getName(), p.getPrimaryType());
                }
            }
            return out;
        });
    }

    private static InvalidTaskException wrongKind(String field, String path, String wanted, JsonNode got) {
        return new InvalidTaskException(
                path.isEmpty() ? field : field + "." + path, "must be " + wanted + ", not " + kind(got));
    }

    private static String kind(JsonNode n) {
        return n.isArray()
                ? "a list"
                : n.isObject()
                        ? "a map"
                        : n.isTextual()
                                ? "a string"
                                : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** "; did you mean X?" when a known field is at most two edits away. */
    private static String suggestion(String name, Set<String> known) {
        return known.stream()
                .filter(k -> distance(k, name) <= 2)
                .min(Comparator.comparingInt(k -> distance(k, name)))
                .map(k -> "; did you mean " + k + "?")
                .orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
