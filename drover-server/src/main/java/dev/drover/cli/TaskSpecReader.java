package dev.drover.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.drover.core.CleanupPolicy;
import dev.drover.core.InvalidTaskException;
import dev.drover.core.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Tasks written as data: a YAML or JSON list of objects with the fields of {@link TaskSpec} (name,
 * namespace, image, command, args, env, labels, annotations, requests, limits, podTemplate,
 * podOverride, retries, infraRetries, retryBackoff, startupTimeout, runTimeout, cleanup). Durations are {@code
 * 30s}, {@code 5m}, ISO {@code PT30S} or seconds; podTemplate and podOverride are YAML text or
 * an embedded object; a missing name comes from the image. Every error names where it is: {@code
 * tasks.yaml: tasks[3].startupTimeout: …}. Used by {@code drover submit -f}; meant for JSON request
 * bodies too.
 */
public final class TaskSpecReader {
    static final List<String> FIELDS = List.of(
            "name",
            "namespace",
            "image",
            "command",
            "args",
            "env",
            "labels",
            "annotations",
            "requests",
            "limits",
            "podTemplate",
            "podOverride",
            "retries",
            "infraRetries",
            "retryBackoff",
            "startupTimeout",
            "runTimeout",
            "cleanup");
    private static final Set<String> KNOWN = Set.copyOf(FIELDS);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private TaskSpecReader() {}

    /** A task document that cannot become tasks; the message is {@code source: where: problem}. */
    public static final class BadTasksException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String where;

        BadTasksException(String source, String where, String problem) {
            super(source + ": " + (where.isEmpty() ? "" : where + ": ") + problem);
            this.where = where;
        }

        /** Where in the document, e.g. {@code tasks[3].startupTimeout}; empty for the whole document. */
        public String where() {
            return where;
        }
    }

    /** The tasks of a YAML or JSON list; {@code source} names it in errors (a file name, "request body"). */
    public static List<TaskSpec> readList(String source, String text) {
        JsonNode root = parse(source, text);
        if (!root.isArray()) {
            throw new BadTasksException(
                    source, "", "must be a list of tasks, e.g. - {image: busybox:1.36, command: [echo, hi]}");
        }
        if (root.isEmpty()) {
            throw new BadTasksException(source, "", "is an empty list; write at least one task");
        }
        List<TaskSpec> specs = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            specs.add(readTask(source, "tasks[" + i + "]", root.get(i)));
        }
        return specs;
    }

    /** One task object; {@code where} prefixes its fields in errors ({@code tasks[3]}, or empty). */
    public static TaskSpec readTask(String source, String where, JsonNode task) {
        Fields f = new Fields(source, where);
        if (!task.isObject()) {
            throw f.bad("", "must be an object with fields such as image and command");
        }
        task.fieldNames().forEachRemaining(name -> {
            if (!KNOWN.contains(name)) {
                throw f.bad(name, "unknown field; a task has " + String.join(", ", FIELDS));
            }
        });
        String image = f.text(task, "image");
        String name = f.text(task, "name");
        TaskSpec.Builder b =
                TaskSpec.builder(name != null ? name : image != null ? TaskSpecOptions.nameFromImage(image) : "task");
        b.namespace(f.text(task, "namespace")).image(image);
        b.command(f.strings(task, "command")).args(f.strings(task, "args"));
        f.map(task, "env", b::env);
        f.map(task, "labels", b::label);
        f.map(task, "annotations", b::annotation);
        f.map(task, "requests", b::request);
        f.map(task, "limits", b::limit);
        b.podTemplate(f.yaml(task, "podTemplate")).podOverride(f.yaml(task, "podOverride"));
        Integer retries = f.integer(task, "retries");
        b.retries(retries == null ? 0 : retries, f.duration(task, "retryBackoff"));
        Integer infraRetries = f.integer(task, "infraRetries");
        if (infraRetries != null) {
            b.infraRetries(infraRetries);
        }
        b.startupTimeout(f.duration(task, "startupTimeout")).runTimeout(f.duration(task, "runTimeout"));
        b.cleanup(f.cleanup(task));
        try {
            return b.build();
        } catch (InvalidTaskException e) {
            String problem = e.getMessage().startsWith(e.field() + ": ")
                    ? e.getMessage().substring(e.field().length() + 2)
                    : e.getMessage();
            throw f.bad(e.field(), problem);
        }
    }

    private static JsonNode parse(String source, String text) {
        String t = text.stripLeading();
        boolean json = source.toLowerCase(Locale.ROOT).endsWith(".json") || t.startsWith("[") || t.startsWith("{");
        try {
            JsonNode root = (json ? JSON : YAML).readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new BadTasksException(source, "", "is empty; write a list of tasks");
            }
            return root;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null
                    ? ""
                    : "line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new BadTasksException(
                    source, at, "not valid " + (json ? "JSON" : "YAML") + " (" + e.getOriginalMessage() + ")");
        }
    }

    /** Reads typed fields of one task object, naming {@code where.field} in errors. */
    private record Fields(String source, String where) {
        BadTasksException bad(String field, String problem) {
            String path = where.isEmpty() ? field : field.isEmpty() ? where : where + "." + field;
            return new BadTasksException(source, path, problem);
        }

        String text(JsonNode task, String field) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode()) {
                throw bad(field, "must be a string");
            }
            return v.asText();
        }

        List<String> strings(JsonNode task, String field) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw bad(field, "must be a list of strings, e.g. [sh, -c, 'echo hi']");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                    throw bad(field + "[" + i + "]", "must be a string");
                }
                out.add(v.get(i).asText());
            }
            return out;
        }

        void map(JsonNode task, String field, BiConsumer<String, String> put) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return;
            }
            if (!v.isObject()) {
                throw bad(field, "must be a mapping of names to values, e.g. {cpu: 500m}");
            }
            Map<String, String> m = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw bad(field + "." + e.getKey(), "must be a string");
                }
                m.put(e.getKey(), e.getValue().asText());
            });
            m.forEach(put);
        }

        String yaml(JsonNode task, String field) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (v.isTextual()) {
                return v.asText();
            }
            if (!v.isObject()) {
                throw bad(field, "must be a Pod as an object, or as YAML text");
            }
            return v.toString(); // JSON, which is YAML too
        }

        Integer integer(JsonNode task, String field) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return v.intValue();
            }
            if (v.isTextual() && v.asText().strip().matches("\\d{1,9}")) {
                return Integer.parseInt(v.asText().strip());
            }
            throw bad(field, "'" + v.asText() + "' is not a whole number");
        }

        Duration duration(JsonNode task, String field) {
            JsonNode v = task.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode()) {
                throw bad(field, "must be a duration; " + Durations.EXAMPLES);
            }
            try {
                return Durations.parse(v.asText());
            } catch (IllegalArgumentException e) {
                throw bad(field, e.getMessage());
            }
        }

        CleanupPolicy cleanup(JsonNode task) {
            String v = text(task, "cleanup");
            if (v == null) {
                return null;
            }
            try {
                return CleanupPolicy.valueOf(v.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw bad("cleanup", "'" + v + "' is not one of " + Arrays.toString(CleanupPolicy.values()));
            }
        }
    }
}
