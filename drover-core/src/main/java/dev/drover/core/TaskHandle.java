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

    /** Called on every state change this process records (from the thread that recorded it). */
    public TaskHandle onStateChange(Consumer<Task> listener) {
        listeners.add(listener);
        return this;
    }

    void changed(Task t) {
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
