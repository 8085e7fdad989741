package dev.drover.server;

import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.Transition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tasks as the API shows them. The spec uses the field names a submit takes (durations in ISO-8601),
 * so a task read back can be submitted again as it is.
 */
final class TaskViews {
    private TaskViews() {}

    /** One task in a list: what a row of the dashboard shows. */
    static Map<String, Object> summary(Task t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.spec().name());
        m.put("namespace", t.spec().namespace());
        m.put("cluster", t.cluster());
        m.put("state", t.state().name());
        m.put("try", t.tryNumber());
        m.put("pod", t.podName());
        m.put("reason", t.reason());
        if (t.failure() != null) {
            m.put("failureSummary", t.failure().summary());
        }
        m.put("labels", t.spec().labels());
        m.put("cancelRequested", t.cancelRequested());
        m.put("createdAt", t.createdAt());
        m.put("updatedAt", t.updatedAt());
        return m;
    }

    /** One task whole: spec, state, tries, transitions, failure details, pod. */
    static Map<String, Object> detail(Task t, List<Transition> transitions) {
        Map<String, Object> m = summary(t);
        m.remove("failureSummary");
        m.put("owner", t.owner());
        m.put("infraFailures", t.infraFailures());
        m.put("nextAttemptAt", t.state().isTerminal() ? null : t.nextAttemptAt());
        m.put("failure", t.failure());
        m.put("spec", spec(t.spec()));
        m.put("tries", tries(t, transitions));
        m.put("transitions", transitions.stream().map(TaskViews::transition).toList());
        return m;
    }

    static Map<String, Object> transition(Transition tr) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("try", tr.tryNumber());
        m.put("from", tr.from() == null ? null : tr.from().name());
        m.put("to", tr.to().name());
        m.put("at", tr.at());
        m.put("reason", tr.reason());
        return m;
    }

    /** Each try: its pod, when it began and last changed, and the state it is in or ended in. */
    static List<Map<String, Object>> tries(Task t, List<Transition> transitions) {
        Map<Integer, Map<String, Object>> byTry = new LinkedHashMap<>();
        for (Transition tr : transitions) {
            Map<String, Object> one = byTry.computeIfAbsent(tr.tryNumber(), n -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("try", n);
                m.put("pod", dev.drover.core.TaskIds.podName(t.spec().name(), t.id(), n));
                m.put("startedAt", tr.at());
                return m;
            });
            one.put("state", tr.to().name());
            one.put("reason", tr.reason());
            one.put("updatedAt", tr.at());
        }
        return new ArrayList<>(byTry.values());
    }

    static Map<String, Object> spec(TaskSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("namespace", s.namespace());
        m.put("image", s.image());
        m.put("command", s.command());
        m.put("args", s.args());
        m.put("env", s.env());
        m.put("labels", s.labels());
        m.put("annotations", s.annotations());
        m.put("requests", s.requests());
        m.put("limits", s.limits());
        m.put("podTemplate", s.podTemplate());
        m.put("podOverride", s.podOverride());
        m.put("retries", s.retries());
        m.put("infraRetries", s.infraRetries());
        m.put("retryBackoff", duration(s.retryBackoff()));
        m.put("startupTimeout", duration(s.startupTimeout()));
        m.put("runTimeout", duration(s.runTimeout()));
        m.put("cleanup", s.cleanup().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return m;
    }

    private static @Nullable String duration(java.time.@Nullable Duration d) {
        return d == null ? null : d.toString();
    }
}
