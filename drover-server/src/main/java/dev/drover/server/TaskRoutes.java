package dev.drover.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.cli.TaskSpecReader;
import dev.drover.core.Drover;
import dev.drover.core.InvalidTaskException;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskLogs;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.IdempotencyConflictException;
import dev.drover.core.store.IdempotencyKey;
import dev.drover.core.store.Submission;
import dev.drover.core.store.TaskPage;
import dev.drover.core.store.TaskQuery;
import dev.drover.core.store.TaskStore;
import dev.drover.kube.ApiException;
import dev.drover.kube.EventView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code /api/v1/tasks…}: submit, list, read, cancel, a task's Events and logs. */
final class TaskRoutes {
    private final Drover drover;
    private final TaskStore store;
    private final TaskLogs logs;
    private final boolean readOnly;
    /** Counts by state for list answers: one store query a second at most, however many lists. */
    private final Cached<Map<TaskState, Long>> counts;

    TaskRoutes(Drover drover, TaskStore store, TaskLogs logs, boolean readOnly) {
        this.drover = drover;
        this.store = store;
        this.logs = logs;
        this.readOnly = readOnly;
        this.counts = new Cached<>(java.time.Duration.ofSeconds(1), store::countByState);
    }

    void addTo(Router r) {
        r.add("POST", "/api/v1/tasks", Role.SUBMIT, this::submit);
        r.add("GET", "/api/v1/tasks", Role.READ, this::list);
        r.add("GET", "/api/v1/tasks/{id}", Role.READ, this::get);
        r.add("POST", "/api/v1/tasks/{id}/cancel", Role.SUBMIT, this::cancel);
        r.add("GET", "/api/v1/tasks/{id}/events", Role.READ, this::events);
        r.add("GET", "/api/v1/tasks/{id}/logs", Role.READ, this::logs);
    }

    /** One task ({@code {...}}) or a batch ({@code {"tasks":[...]}}), all or none: 201 with the ids. */
    private void submit(Call call) throws IOException {
        refuseIfReadOnly();
        byte[] raw = call.body();
        JsonNode body = call.json(raw);
        if (!body.isObject()) {
            throw Problem.badRequest(
                    "the body must be a JSON object: one task, or {\"tasks\": [...]}",
                    null,
                    "e.g. {\"image\": \"busybox:1.36\", \"command\": [\"echo\", \"hi\"]}");
        }
        boolean batch = body.has("tasks");
        List<TaskSpec> specs = batch ? batch(body) : List.of(read("", body));
        String idempotencyKey = call.header("Idempotency-Key");
        List<String> ids;
        try {
            if (idempotencyKey == null) {
                ids = drover.submitAll(specs).stream().map(TaskHandle::id).toList();
            } else {
                Submission s = drover.submitAll(specs, key(call, idempotencyKey, raw));
                ids = s.tasks().stream().map(Task::id).toList();
                if (s.replayed()) {
                    call.setHeader("Idempotency-Replayed", "true");
                }
            }
        } catch (IdempotencyConflictException e) {
            throw Problem.conflict(e.getMessage(), "use a new Idempotency-Key for a new request");
        } catch (InvalidTaskException e) {
            String problem = e.getMessage().startsWith(e.field() + ": ")
                    ? e.getMessage().substring(e.field().length() + 2)
                    : e.getMessage();
            throw Problem.invalid(e.field() + ": " + problem, e.field(), null);
        }
        if (ids.size() == 1) {
            call.setHeader("Location", "/api/v1/tasks/" + ids.getFirst());
        }
        call.json(201, batch ? Map.of("ids", ids) : Map.of("id", ids.getFirst()));
    }

    /** The key per caller, with a digest of the body: the same key with another body is a conflict. */
    private static IdempotencyKey key(Call call, String key, byte[] body) {
        try {
            return new IdempotencyKey(
                    call.principal().name(),
                    key.strip(),
                    TokenFile.digest(new String(body, java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest(e.getMessage(), "Idempotency-Key", "send e.g. a UUID");
        }
    }

    private static List<TaskSpec> batch(JsonNode body) {
        if (body.size() != 1) {
            List<String> others = new ArrayList<>();
            body.fieldNames().forEachRemaining(n -> {
                if (!n.equals("tasks")) {
                    others.add(n);
                }
            });
            throw Problem.badRequest(
                    "a batch has only \"tasks\" (also got " + String.join(", ", others) + ")",
                    others.getFirst(),
                    "put every task's fields inside its object in \"tasks\"");
        }
        JsonNode tasks = body.get("tasks");
        if (!tasks.isArray() || tasks.isEmpty()) {
            throw Problem.badRequest("tasks must be a list of at least one task", "tasks", "e.g. {\"tasks\": [{...}]}");
        }
        List<TaskSpec> specs = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            specs.add(read("tasks[" + i + "]", tasks.get(i)));
        }
        return specs;
    }

    private static TaskSpec read(String where, JsonNode task) {
        try {
            return TaskSpecReader.readTask("request body", where, task);
        } catch (TaskSpecReader.BadTasksException e) {
            String detail = e.getMessage().substring("request body: ".length());
            throw Problem.invalid(detail, e.where().isEmpty() ? null : e.where(), null);
        }
    }

    private void list(Call call) throws IOException {
        TaskQuery q;
        try {
            q = TaskQuery.all()
                    .withStates(states(call.query("state")))
                    .withLabelSelector(
                            blankToNull(call.query("labelSelector")) == null ? "" : call.query("labelSelector"))
                    .withName(blankToNull(call.query("name")))
                    .withSubmittedSince(since(call.query("since")))
                    .withLimit(call.queryInt("limit", TaskQuery.DEFAULT_LIMIT, 1, TaskQuery.MAX_LIMIT))
                    .withCursor(blankToNull(call.query("cursor")));
        } catch (IllegalArgumentException e) {
            String field = e.getMessage().startsWith("cursor")
                    ? "cursor"
                    : e.getMessage().startsWith("labelSelector") ? "labelSelector" : null;
            throw Problem.badRequest(e.getMessage(), field, null);
        }
        TaskPage page = store.query(q);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.tasks().stream().map(TaskViews::summary).toList());
        out.put("nextCursor", page.nextCursor());
        out.put("counts", counts.get());
        call.json(200, out);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** An ISO-8601 instant, or a duration back from now ({@code 30m}, {@code PT1H}). */
    private static java.time.Instant since(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return java.time.Instant.parse(text.strip());
        } catch (java.time.format.DateTimeParseException e) {
            java.time.Duration back = dev.drover.core.DurationText.parse(text.strip());
            if (back == null) {
                throw Problem.badRequest(
                        "since '" + text + "' is neither an instant nor a duration",
                        "since",
                        "e.g. since=2030-01-01T00:00:00Z or since=2h");
            }
            return java.time.Instant.now().minus(back);
        }
    }

    static Set<TaskState> states(String text) {
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);
        if (text == null || text.isBlank()) {
            return states;
        }
        for (String s : text.split(",")) {
            try {
                states.add(TaskState.valueOf(s.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest(
                        "'" + s + "' is not a task state",
                        "state",
                        "use one or more of " + java.util.Arrays.toString(TaskState.values()) + ", comma-separated");
            }
        }
        return states;
    }

    private Task require(String id) {
        return store.get(id)
                .orElseThrow(() -> Problem.notFound("no task '" + id + "' (GET /api/v1/tasks lists the tasks)"));
    }

    private void get(Call call) throws IOException {
        Task t = require(call.param("id"));
        call.json(200, TaskViews.detail(t, store.transitions(t.id())));
    }

    private void cancel(Call call) throws IOException {
        refuseIfReadOnly();
        Task t = require(call.param("id"));
        if (!drover.cancel(t.id())) {
            throw Problem.conflict(
                    "task " + t.id() + " has already ended ("
                            + store.get(t.id()).map(x -> x.state().name()).orElse("gone") + ")",
                    null);
        }
        call.json(202, Map.of("id", t.id(), "cancelRequested", true));
    }

    private void events(Call call) throws IOException {
        Task t = require(call.param("id"));
        Integer tryNumber = call.queryInt("try", null, 1, t.tryNumber());
        if (t.podName() == null && (tryNumber == null || tryNumber == t.tryNumber())) {
            call.json(200, Map.of("items", List.of()));
            return;
        }
        List<EventView> events;
        try {
            events = drover.events(t.id(), tryNumber);
        } catch (ApiException e) {
            throw new Problem(502, "Bad Gateway", "the apiserver could not be asked: " + e.getMessage(), null, null);
        }
        call.json(200, Map.of("items", events.stream().map(TaskRoutes::event).toList()));
    }

    private static Map<String, Object> event(EventView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type());
        m.put("reason", e.reason());
        m.put("message", e.message());
        m.put("count", e.count());
        m.put("firstTimestamp", e.firstTimestamp());
        m.put("lastTimestamp", e.lastTimestamp());
        m.put("source", e.source());
        m.put("fieldPath", e.fieldPath());
        return m;
    }

    /** The log as text, streamed; {@code follow=true} keeps the answer open until the container ends. */
    private void logs(Call call) throws IOException, InterruptedException {
        String id = call.param("id");
        require(id);
        Integer tryNumber = call.queryInt("try", null, 1, 1_000);
        Integer tail = call.queryInt("tail", null, 0, 1_000_000);
        String container = call.query("container");
        LazyStream out = new LazyStream(call, "text/plain; charset=utf-8");
        try {
            logs.write(new TaskLogs.Request(id, tryNumber, container, tail, call.queryFlag("follow")), out);
        } catch (IllegalArgumentException e) {
            if (out.started()) {
                throw e;
            }
            throw Problem.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            if (out.started()) {
                throw e;
            }
            throw Problem.conflict(e.getMessage(), "try again once the pod runs, or ask for an earlier try");
        } catch (ApiException e) {
            if (out.started()) {
                throw new IOException(e);
            }
            throw new Problem(502, "Bad Gateway", "the log could not be read: " + e.getMessage(), null, null);
        }
        out.close();
    }

    private void refuseIfReadOnly() {
        if (readOnly) {
            throw new Problem(
                    405,
                    "Method Not Allowed",
                    "this server is read-only: it serves reads and schedules nothing",
                    null,
                    "submit and cancel through a replica without --read-only");
        }
    }
}
