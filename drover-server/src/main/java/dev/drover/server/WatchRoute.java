package dev.drover.server;

import dev.drover.core.TaskState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/watch}: task state changes as Server-Sent Events, {@code id:} the change id, so
 * a client that reconnects with {@code Last-Event-ID} (as EventSource does) misses none and sees
 * none twice. A comment every {@link #KEEP_ALIVE} keeps proxies from closing an idle stream.
 */
final class WatchRoute {
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private final ChangeFeed feed;

    WatchRoute(ChangeFeed feed) {
        this.feed = feed;
    }

    void addTo(Router r) {
        r.add("GET", "/api/v1/watch", Role.READ, this::watch);
    }

    private void watch(Call call) throws IOException, InterruptedException {
        String accept = call.header("Accept");
        if (accept != null && !accept.contains("text/event-stream") && !accept.contains("*/*")) {
            throw new Problem(
                    406,
                    "Not Acceptable",
                    "the watch is a Server-Sent Events stream",
                    "Accept",
                    "send Accept: text/event-stream (EventSource does)");
        }
        long cursor = start(call);
        Set<TaskState> states = TaskRoutes.states(call.query("state"));
        String task = call.query("task");
        OutputStream out = call.stream(200, "text/event-stream; charset=utf-8");
        write(out, "retry: 2000\n: watching task changes after " + cursor + "\n\n");
        while (true) {
            List<Change> changes = feed.after(cursor, 500, KEEP_ALIVE);
            if (changes.isEmpty()) {
                write(out, ": keep-alive\n\n");
                continue;
            }
            StringBuilder events = new StringBuilder();
            for (Change c : changes) {
                cursor = c.id();
                if ((states.isEmpty() || states.contains(c.to())) && (task == null || task.equals(c.task()))) {
                    events.append("id: ")
                            .append(c.id())
                            .append("\nevent: change\ndata: ")
                            .append(c.data())
                            .append("\n\n");
                }
            }
            if (!events.isEmpty()) {
                write(out, events.toString());
            }
        }
    }

    /** After Last-Event-ID, else ?after=, else from now on. */
    private long start(Call call) {
        String last = call.header("Last-Event-ID");
        String name = "Last-Event-ID";
        if (last == null || last.isBlank()) {
            last = call.query("after");
            name = "after";
        }
        if (last == null || last.isBlank()) {
            return feed.now();
        }
        try {
            long id = Long.parseLong(last.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw Problem.badRequest(
                    name + " must be a change id, a whole number (got '" + last + "')",
                    name,
                    "resume with the id of the last event seen");
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
