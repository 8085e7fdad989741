package dev.drover.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One pod's writes, sent one after another so the apiserver sees them in the order a kubelet makes
 * them (a status never overtakes an earlier one; an Event's patch follows its create). Used from
 * the simulator's loop thread only; replies come back on it too.
 */
final class SerialWrites {
    private final ApiWriter writer;
    private final Executor loop;
    private final Deque<Item> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean stopped;

    private record Item(ApiWriter.Request request, Consumer<ApiWriter.Reply> then) {}

    SerialWrites(ApiWriter writer, Executor loop) {
        this.writer = writer;
        this.loop = loop;
    }

    void add(ApiWriter.Request request, Consumer<ApiWriter.Reply> then) {
        if (stopped) {
            return;
        }
        queue.add(new Item(request, then));
        pump();
    }

    /** Puts a request first in line, for a retry that must keep its place. */
    void addFirst(ApiWriter.Request request, Consumer<ApiWriter.Reply> then) {
        if (stopped) {
            return;
        }
        queue.addFirst(new Item(request, then));
        pump();
    }

    /** Drops whatever is queued; the write in flight still completes but its reply is ignored. */
    void stop() {
        stopped = true;
        queue.clear();
    }

    private void pump() {
        if (busy || stopped || queue.isEmpty()) {
            return;
        }
        Item item = queue.poll();
        busy = true;
        writer.submit(item.request()).thenAccept(reply -> {
            try {
                loop.execute(() -> {
                    busy = false;
                    if (!stopped) {
                        try {
                            item.then().accept(reply);
                        } finally {
                            pump();
                        }
                    }
                });
            } catch (RejectedExecutionException closing) {
                // the simulator is closing
            }
        });
    }
}
