package dev.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.core.FailureDetails;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The task commands against a Drover server ({@code --server}): the same output as against the store,
 * from the REST API's answers. Nothing here opens a store or reads a kubeconfig.
 */
final class RemoteTasks {
    /** The largest page the API serves; a longer --limit pages through. */
    static final int MAX_PAGE = 1000;

    private final ServerClient server;
    private final OutputFormat output;
    private final PrintStream out;

    RemoteTasks(ServerClient server, OutputFormat output, PrintStream out) {
        this.server = server;
        this.output = output;
        this.out = out;
    }

    /** {@code drover status}: the counts by state. */
    int counts() {
        JsonNode page = server.getJson("/api/v1/tasks?limit=1");
        JsonNode counts = page.path("counts");
        if (!counts.isObject()) {
            throw new CliFailure(server.shown() + ": the server's task list has no counts (a Drover server older"
                    + " than this client?); `drover list --server …` lists the tasks");
        }
        Map<TaskState, Long> byState = new LinkedHashMap<>();
        for (TaskState s : TaskState.values()) {
            byState.put(s, counts.path(s.name()).asLong(0));
        }
        if (output == OutputFormat.json) {
            out.println(TaskView.toJson(byState));
        } else {
            byState.forEach((s, n) -> out.printf("%-12s %d%n", s, n));
        }
        return 0;
    }

    /** {@code drover status ID}: the task's line and transitions (or its JSON). */
    int status(String id) {
        JsonNode t = server.getJson("/api/v1/tasks/" + ServerClient.pathPart(id));
        TaskView.Facts facts = facts(t);
        List<Transition> transitions = new ArrayList<>();
        for (JsonNode tr : t.path("transitions")) {
            transitions.add(new Transition(
                    facts.id(),
                    tr.path("try").asInt(),
                    tr.hasNonNull("from") ? TaskState.valueOf(tr.get("from").asText()) : null,
                    TaskState.valueOf(tr.path("to").asText()),
                    Instant.parse(tr.path("at").asText()),
                    text(tr, "reason")));
        }
        if (output == OutputFormat.json) {
            out.println(TaskView.toJson(TaskView.json(facts, transitions)));
        } else {
            TaskView.detail(facts, transitions).forEach(out::println);
        }
        return 0;
    }

    /**
     * {@code drover list}: pages of the server's list up to {@code limit}; says on stderr how many
     * more match when the limit cut it (by the server's counts; with a selector only that more do).
     */
    int list(Set<TaskState> states, String selector, int limit) {
        String stateList =
                states.isEmpty() ? null : states.stream().map(TaskState::name).collect(Collectors.joining(","));
        List<TaskView.Facts> tasks = new ArrayList<>();
        String cursor = null;
        JsonNode page;
        do {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("state", stateList);
            q.put("labelSelector", selector == null || selector.isBlank() ? null : selector);
            q.put("limit", Math.min(MAX_PAGE, limit - tasks.size()));
            q.put("cursor", cursor);
            page = server.getJson("/api/v1/tasks" + ServerClient.query(q));
            for (JsonNode item : page.path("items")) {
                if (tasks.size() < limit) {
                    tasks.add(facts(item));
                }
            }
            cursor = text(page, "nextCursor");
        } while (cursor != null && tasks.size() < limit && !page.path("items").isEmpty());
        if (output == OutputFormat.json) {
            out.println(TaskView.toJson(
                    tasks.stream().map(t -> TaskView.json(t, null)).toList()));
        } else {
            tasks.forEach(t -> out.println(TaskView.line(t)));
        }
        if (tasks.size() == limit && cursor != null) {
            out.flush();
            if (selector == null || selector.isBlank()) {
                long total = 0;
                for (TaskState s : TaskState.values()) {
                    if (states.isEmpty() || states.contains(s)) {
                        total += page.path("counts").path(s.name()).asLong(0);
                    }
                }
                TaskCommands.ListTasks.printMore(states, total, tasks.size());
            } else {
                System.err.printf("(more match; a larger --limit shows them)%n");
            }
        }
        return 0;
    }

    /** {@code drover cancel ID}: 0 when asked, 1 when the task had already ended. */
    int cancel(String id) {
        ServerClient.Answer a =
                server.send("POST", "/api/v1/tasks/" + ServerClient.pathPart(id) + "/cancel", null, Map.of());
        boolean asked = a.status() == 202;
        if (!asked && a.status() != 409) {
            throw server.failure(a);
        }
        if (output == OutputFormat.json) {
            out.println(TaskView.toJson(TaskView.cancelled(id, asked)));
        } else {
            out.println(asked ? "cancel requested for " + id : id + " has already ended");
        }
        return asked ? 0 : 1;
    }

    /** {@code drover logs ID}: the server's log text, streamed as it comes. */
    int logs(String id, Integer tryNumber, String container, Integer tail, boolean follow) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("try", tryNumber);
        q.put("container", container);
        q.put("tail", tail);
        q.put("follow", follow ? "true" : null);
        server.stream("/api/v1/tasks/" + ServerClient.pathPart(id) + "/logs" + ServerClient.query(q), out);
        return 0;
    }

    /**
     * {@code drover submit}: the tasks as one request (one task, or a batch all or none), with an
     * Idempotency-Key fresh for this command, so a request sent again after a network failure stores
     * nothing twice.
     */
    List<String> submit(List<TaskSpec> specs, boolean batch) {
        Object body = batch
                ? Map.of("tasks", specs.stream().map(TaskSpecFields::of).toList())
                : TaskSpecFields.of(specs.getFirst());
        ServerClient.Answer a = server.expect(
                server.post("/api/v1/tasks", body, Map.of("Idempotency-Key", "drover-cli-" + UUID.randomUUID())), 201);
        JsonNode answer = server.json(a);
        List<String> ids = new ArrayList<>();
        if (batch) {
            answer.path("ids").forEach(n -> ids.add(n.asText()));
        } else if (answer.hasNonNull("id")) {
            ids.add(answer.get("id").asText());
        }
        if (ids.size() != specs.size()) {
            throw new CliFailure(server.shown() + ": answered " + ids.size() + " ids for " + specs.size() + " tasks");
        }
        return ids;
    }

    /** A task as the API shows it (a list's summary, or the whole task). */
    static TaskView.Facts facts(JsonNode t) {
        FailureDetails failure = null;
        if (t.path("failure").isObject()) {
            try {
                failure = TaskView.JSON.treeToValue(t.get("failure"), FailureDetails.class);
            } catch (IOException e) {
                throw new IllegalStateException("the server's failure details do not read: " + e.getMessage(), e);
            }
        }
        return new TaskView.Facts(
                t.path("id").asText(),
                t.path("name").asText(),
                t.path("namespace").asText(),
                TaskState.valueOf(t.path("state").asText()),
                t.path("try").asInt(),
                t.has("infraFailures") ? t.get("infraFailures").asInt() : null,
                text(t, "pod"),
                text(t, "reason"),
                failure,
                failure != null ? failure.summary() : text(t, "failureSummary"),
                t.path("cancelRequested").asBoolean(),
                instant(t, "createdAt"),
                instant(t, "updatedAt"));
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }
}
