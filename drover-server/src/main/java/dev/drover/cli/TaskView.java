package dev.drover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.drover.core.Task;
import dev.drover.core.Transition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How tasks print: one line each for people, or JSON for scripts. */
final class TaskView {
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private TaskView() {}

    static String line(Task t) {
        return String.format(
                "%-14s %-24s %-12s try %d  %s%s%s",
                t.id(),
                t.spec().name(),
                t.state(),
                t.tryNumber(),
                t.podName() == null ? "-" : t.spec().namespace() + "/" + t.podName(),
                t.failure() == null ? "" : "  " + t.failure().summary(),
                t.cancelRequested() && !t.state().isTerminal() ? "  (cancel requested)" : "");
    }

    static Map<String, Object> json(Task t, List<Transition> transitions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.spec().name());
        m.put("namespace", t.spec().namespace());
        m.put("state", t.state());
        m.put("try", t.tryNumber());
        m.put("infraFailures", t.infraFailures()); // tries the cluster ended, retried on the infrastructure budget
        m.put("pod", t.podName());
        m.put("reason", t.reason());
        m.put("failure", t.failure());
        m.put("createdAt", t.createdAt());
        m.put("updatedAt", t.updatedAt());
        if (transitions != null) {
            m.put("transitions", transitions);
        }
        return m;
    }

    static String toJson(Object o) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
