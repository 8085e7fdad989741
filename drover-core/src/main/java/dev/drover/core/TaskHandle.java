package dev.drover.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A submitted task: its id, its final state as a future, and a listener for every state change. */
public final class TaskHandle {
    private final String id;
    private final CompletableFuture<Task> result = new CompletableFuture<>();
    private final List<Consumer<Task>> listeners = new CopyOnWriteArrayList<>();
    private volatile Task last;

    TaskHandle(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Completes with the task once it is SUCCEEDED, FAILED or CANCELLED. */
    public CompletableFuture<Task> result() {
        return result;
    }

    /**
     * Called on every state change this process records (from the thread that recorded it), and on
     * changes another scheduler records as they are polled from the store (a quick intermediate
     * state may then be missed; the final one never is).
     */
    public TaskHandle onStateChange(Consumer<Task> listener) {
        listeners.add(listener);
        return this;
    }

    /** The task as this process last saw it: as stored, right after the submit. */
    public Task last() {
        return last;
    }

    void changed(Task t) {
        Task before = last;
        if (before != null && before.state() == t.state() && before.tryNumber() == t.tryNumber()) {
            return; // nothing new (e.g. polled again)
        }
        last = t;
        for (Consumer<Task> l : listeners) {
            try {
                l.accept(t);
            } catch (RuntimeException ignored) {
                // a listener's failure is its own
            }
        }
        if (t.state().isTerminal()) {
            result.complete(t);
        }
    }
}
