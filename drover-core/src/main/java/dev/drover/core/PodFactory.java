package dev.drover.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Map;

/**
 * Builds a task's pod: the template, then the task's own container fields, then the override,
 * then Drover's identity (name, namespace, labels, annotations, restartPolicy Never). Pure.
 *
 * <p>The task's container is the template's container named {@code main}, else its only
 * container, else a new container named {@code main}.
 */
final class PodFactory {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private PodFactory() {}

    /** The pod with Drover's finalizer. */
    static JsonNode build(TaskSpec spec, String taskId, int tryNumber, String owner) {
        return build(spec, taskId, tryNumber, owner, true);
    }

    /** {@code finalizer}: whether the pod carries {@link PodLabels#FINALIZER} (added to any the template has). */
    static JsonNode build(TaskSpec spec, String taskId, int tryNumber, String owner, boolean finalizer) {
        ObjectNode pod = template(spec);
        ObjectNode podSpec = pod.withObject("spec");
        ArrayNode containers = podSpec.withArray("containers");
        ObjectNode main = taskContainer(containers);
        applyTaskFields(spec, main);
        JsonNode merged = pod;
        if (spec.podOverride() != null && !spec.podOverride().isBlank()) {
            merged = PodMerge.merge(pod, normalize("podOverride", parse("podOverride", spec.podOverride())));
        }
        ObjectNode out = (ObjectNode) merged;
        out.put("apiVersion", "v1");
        out.put("kind", "Pod");
        ObjectNode meta = out.withObject("metadata");
        meta.put("name", TaskIds.podName(spec.name(), taskId, tryNumber));
        meta.put("namespace", spec.namespace());
        meta.remove("generateName");
        meta.remove("resourceVersion");
        meta.remove("uid");
        ObjectNode labels = meta.withObject("labels");
        spec.labels().forEach(labels::put);
        labels.put(PodLabels.OWNER, owner);
        labels.put(PodLabels.TASK_ID, taskId);
        labels.put(PodLabels.TRY, Integer.toString(tryNumber));
        labels.put(PodLabels.TASK_NAME, spec.name());
        ObjectNode annotations = meta.withObject("annotations");
        spec.annotations().forEach(annotations::put);
        annotations.put(PodLabels.TASK_ID, taskId);
        annotations.put(PodLabels.TASK_NAME, spec.name());
        annotations.put(PodLabels.TRY, Integer.toString(tryNumber));
        if (finalizer) {
            ArrayNode finalizers = meta.withArray("finalizers");
            boolean has = false;
            for (JsonNode f : finalizers) {
                has |= PodLabels.FINALIZER.equals(f.asText());
            }
            if (!has) {
                finalizers.add(PodLabels.FINALIZER);
            }
        }
        // Retries are Drover's: the kubelet must not restart the containers itself.
        out.withObject("spec").put("restartPolicy", "Never");
        out.remove("status");
        if (out.path("spec").path("containers").isEmpty()) {
            throw new InvalidTaskException(
                    "podTemplate", "the pod has no containers; give an image or a template with one");
        }
        for (JsonNode c : out.path("spec").path("containers")) {
            if (!c.hasNonNull("image") || c.get("image").asText().isBlank()) {
                throw new InvalidTaskException(
                        "image",
                        "container '" + c.path("name").asText("?")
                                + "' has no image; set the task's image or the template's");
            }
            String problem = KubeNames.imageProblem(c.get("image").asText());
            if (problem != null) {
                throw new InvalidTaskException(
                        "image", "container '" + c.path("name").asText("?") + "': " + problem);
            }
        }
        // What the template and the override bring counts too: the apiserver would refuse the pod.
        KubeNames.checkLabels("labels", strings(meta.path("labels")));
        KubeNames.checkAnnotations("annotations", strings(meta.path("annotations")));
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        object.properties()
                .forEach(e -> out.put(
                        e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return out;
    }

    private static ObjectNode template(TaskSpec spec) {
        if (spec.podTemplate() == null || spec.podTemplate().isBlank()) {
            return JSON.createObjectNode();
        }
        return normalize("podTemplate", parse("podTemplate", spec.podTemplate()));
    }

    /**
     * Accepts a Pod, a PodTemplate ({@code template:}), a bare {@code {metadata, spec}} or a bare
     * pod spec, each checked strictly against the Pod schema first (unknown fields and wrong kinds
     * are refused, naming {@code field} and the path).
     */
    private static ObjectNode normalize(String field, JsonNode doc) {
        PodSchema.check(field, doc);
        ObjectNode o = (ObjectNode) doc.deepCopy();
        if (o.has("template") && o.get("template").isObject()) {
            o = (ObjectNode) o.get("template");
        }
        if (!o.has("spec") && o.has("containers")) {
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.set("spec", o);
            return wrapped;
        }
        return o;
    }

    private static JsonNode parse(String field, String yaml) {
        try {
            JsonNode n = YAML.readTree(yaml);
            if (n == null || n.isMissingNode()) {
                throw new InvalidTaskException(field, "is empty");
            }
            return n;
        } catch (IOException e) {
            String why = e.getMessage() == null
                    ? e.toString()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidTaskException(field, "is not valid YAML (" + why + ")");
        }
    }

    private static ObjectNode taskContainer(ArrayNode containers) {
        for (JsonNode c : containers) {
            if ("main".equals(c.path("name").asText())) {
                return (ObjectNode) c;
            }
        }
        if (containers.size() == 1 && containers.get(0).isObject()) {
            return (ObjectNode) containers.get(0);
        }
        ObjectNode main = containers.addObject();
        main.put("name", "main");
        return main;
    }

    private static void applyTaskFields(TaskSpec spec, ObjectNode c) {
        if (spec.image() != null) {
            c.put("image", spec.image());
        }
        if (!spec.command().isEmpty()) {
            ArrayNode cmd = c.putArray("command");
            spec.command().forEach(cmd::add);
        }
        if (!spec.args().isEmpty()) {
            ArrayNode args = c.putArray("args");
            spec.args().forEach(args::add);
        }
        if (!spec.env().isEmpty()) {
            ArrayNode env = c.withArray("env");
            for (Map.Entry<String, String> e : spec.env().entrySet()) {
                ObjectNode existing = null;
                for (JsonNode n : env) {
                    if (e.getKey().equals(n.path("name").asText())) {
                        existing = (ObjectNode) n;
                    }
                }
                ObjectNode var = existing != null ? existing : env.addObject();
                var.removeAll();
                var.put("name", e.getKey());
                var.put("value", e.getValue());
            }
        }
        if (!spec.requests().isEmpty()) {
            spec.requests().forEach(c.withObject("resources").withObject("requests")::put);
        }
        if (!spec.limits().isEmpty()) {
            spec.limits().forEach(c.withObject("resources").withObject("limits")::put);
        }
    }
}
