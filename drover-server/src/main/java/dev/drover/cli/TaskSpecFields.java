package dev.drover.cli;

import dev.drover.core.TaskSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A task's fields as {@link TaskSpecReader} reads them (a task file, a server's request body). */
final class TaskSpecFields {
    private TaskSpecFields() {}

    /** The spec as the fields of one task; empty and unset ones left out. */
    static Map<String, Object> of(TaskSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("namespace", s.namespace());
        putIf(m, "image", s.image());
        putIf(m, "command", s.command().isEmpty() ? null : s.command());
        putIf(m, "args", s.args().isEmpty() ? null : s.args());
        putIf(m, "env", s.env().isEmpty() ? null : s.env());
        putIf(m, "labels", s.labels().isEmpty() ? null : s.labels());
        putIf(m, "annotations", s.annotations().isEmpty() ? null : s.annotations());
        putIf(m, "requests", s.requests().isEmpty() ? null : s.requests());
        putIf(m, "limits", s.limits().isEmpty() ? null : s.limits());
        putIf(m, "podTemplate", s.podTemplate());
        putIf(m, "podOverride", s.podOverride());
        m.put("retries", s.retries());
        m.put("infraRetries", s.infraRetries());
        m.put("retryBackoff", duration(s.retryBackoff()));
        m.put("startupTimeout", duration(s.startupTimeout()));
        putIf(m, "runTimeout", duration(s.runTimeout()));
        m.put("cleanup", s.cleanup().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static String duration(Duration d) {
        return d == null ? null : d.toString();
    }
}
