package dev.drover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.drover.core.FailureDetails;
import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How tasks print: one line each for people, or JSON for scripts. The same for a task read from the
 * store and one read from a Drover server ({@link Facts} is what both give).
 */
final class TaskView {
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private TaskView() {}

    /**
     * What a task's line and JSON show. A server's task list gives a summary, which has no failure
     * details and no infrastructure failures: then {@code failure} and {@code infraFailures} are null
     * and {@code failureSummary} stands in.
     */
    record Facts(
            String id,
            String name,
            String namespace,
            TaskState state,
            int tryNumber,
            Integer infraFailures,
            String pod,
            String reason,
            FailureDetails failure,
            String failureSummary,
            boolean cancelRequested,
            Instant createdAt,
            Instant updatedAt) {
        static Facts of(Task t) {
            return new Facts(
                    t.id(),
                    t.spec().name(),
                    t.spec().namespace(),
                    t.state(),
                    t.tryNumber(),
                    t.infraFailures(),
                    t.podName(),
                    t.reason(),
                    t.failure(),
                    t.failure() == null ? null : t.failure().summary(),
                    t.cancelRequested(),
                    t.createdAt(),
                    t.updatedAt());
        }
    }

    static String line(Task t) {
        return line(Facts.of(t));
    }

    static String line(Facts t) {
        return String.format(
                "%-14s %-24s %-12s try %d  %s%s%s",
                t.id(),
                t.name(),
                t.state(),
                t.tryNumber(),
                t.pod() == null ? "-" : t.namespace() + "/" + t.pod(),
                t.failureSummary() == null ? "" : "  " + t.failureSummary(),
                t.cancelRequested() && !t.state().isTerminal() ? "  (cancel requested)" : "");
    }

    /** {@code drover status ID}: the task's line, its transitions, the Events and log tail of its failure. */
    static List<String> detail(Facts t, List<Transition> transitions) {
        List<String> out = new ArrayList<>();
        out.add(line(t));
        transitions.forEach(tr -> out.add(String.format(
                "  %s try %d %s -> %s  %s",
                tr.at(),
                tr.tryNumber(),
                tr.from() == null ? "-" : tr.from(),
                tr.to(),
                tr.reason() == null ? "" : tr.reason())));
        if (t.failure() != null) {
            t.failure().events().forEach(e -> out.add("  event: " + e));
            t.failure().logTail().forEach(l -> out.add("  log: " + l));
        }
        return out;
    }

    static Map<String, Object> json(Task t, List<Transition> transitions) {
        return json(Facts.of(t), transitions);
    }

    static Map<String, Object> json(Facts t, List<Transition> transitions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("namespace", t.namespace());
        m.put("state", t.state());
        m.put("try", t.tryNumber());
        if (t.infraFailures() != null) {
            m.put("infraFailures", t.infraFailures()); // tries the cluster ended, retried on the infrastructure budget
        }
        m.put("pod", t.pod());
        m.put("reason", t.reason());
        if (t.failure() != null || t.failureSummary() == null) {
            m.put("failure", t.failure());
        } else {
            m.put("failureSummary", t.failureSummary()); // a server's list has only the summary
        }
        m.put("createdAt", t.createdAt());
        m.put("updatedAt", t.updatedAt());
        if (transitions != null) {
            m.put("transitions", transitions);
        }
        return m;
    }

    /** What {@code drover cancel -o json} prints. */
    static Map<String, Object> cancelled(String id, boolean asked) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("cancelRequested", asked);
        return m;
    }

    /** What {@code drover submit -o json} prints for one task. */
    static Map<String, Object> submitted(String id, TaskState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("state", state);
        return m;
    }

    /** What {@code drover submit -f -o json} prints for each task. */
    static Map<String, Object> submitted(String id, String name, TaskState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("state", state);
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
