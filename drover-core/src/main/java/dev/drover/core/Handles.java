package dev.drover.core;

import dev.drover.core.store.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handles of tasks submitted through one Drover. Changes this process records reach them at
 * once; a task another scheduler runs is followed by a poll of the store (started with the first
 * handle), since only the store tells what became of it. A handle is dropped once its task ended.
 */
final class Handles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Handles.class);
    private final Map<String, TaskHandle> handles = new ConcurrentHashMap<>();
    private final TaskStore store;
    private final Duration pollEvery;
    private final Predicate<String> heldHere;
    private volatile boolean closed;
    private Thread poller;

    Handles(TaskStore store, Duration pollEvery, Predicate<String> heldHere) {
        this.store = store;
        this.pollEvery = pollEvery;
        this.heldHere = heldHere;
    }

    /** A handle for a task about to be stored (before the insert: a scheduler may claim it at once). */
    TaskHandle add(String id) {
        TaskHandle h = new TaskHandle(id);
        handles.put(id, h);
        startPolling();
        return h;
    }

    void forget(String id) {
        handles.remove(id);
    }

    Optional<TaskHandle> get(String id) {
        return Optional.ofNullable(handles.get(id));
    }

    /** The ids of tasks submitted here that have not ended. */
    List<String> open() {
        return List.copyOf(handles.keySet());
    }

    void changed(Task t) {
        TaskHandle h = handles.get(t.id());
        if (h != null) {
            h.changed(t);
            if (t.state().isTerminal()) {
                handles.remove(t.id());
            }
        }
    }

    private synchronized void startPolling() {
        if (poller != null || closed) {
            return;
        }
        poller = Thread.ofPlatform().daemon().name("drover-handles").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(pollEvery);
                } catch (InterruptedException e) {
                    return;
                }
                List<String> elsewhere =
                        handles.keySet().stream().filter(heldHere.negate()).toList();
                if (!elsewhere.isEmpty()) {
                    try {
                        store.getAll(elsewhere).forEach(this::changed);
                    } catch (RuntimeException e) {
                        log.debug("polling {} handle(s) failed; trying again: {}", elsewhere.size(), e.toString());
                    }
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (poller != null) {
            poller.interrupt();
        }
    }
}
