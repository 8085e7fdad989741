package dev.drover.server;

import dev.drover.core.TaskState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One task state change as the watch sends it; {@code id} is its place in the store's order. {@code
 * data} is its JSON, written once when it is read from the store: a hundred watchers send the same
 * text, not a hundred serializations of it.
 */
record Change(
        long id,
        String task,
        String name,
        String namespace,
        int tryNumber,
        @Nullable TaskState from,
        TaskState to,
        Instant at,
        @Nullable String reason,
        String data) {

    static Change of(
            long id,
            String task,
            String name,
            String namespace,
            int tryNumber,
            @Nullable TaskState from,
            TaskState to,
            Instant at,
            @Nullable String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("task", task);
        m.put("name", name);
        m.put("namespace", namespace);
        m.put("try", tryNumber);
        m.put("from", from == null ? null : from.name());
        m.put("to", to.name());
        m.put("at", at);
        m.put("reason", reason);
        try {
            return new Change(
                    id, task, name, namespace, tryNumber, from, to, at, reason, Json.MAPPER.writeValueAsString(m));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
