package dev.drover.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue in front of the one worker thread that owns the tasks in flight. The worker takes
 * whatever has queued up (at most {@value #MAX_BATCH}) in one go, so a backlog of pod news costs
 * one store commit, not one per change; the watch threads never wait on the store.
 */
final class Inbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    static final int MAX_BATCH = 64;
    private static final Object STOP = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Consumer<List<Message>> handler;
    private Thread worker;

    Inbox(Consumer<List<Message>> handler) {
        this.handler = handler;
    }

    void post(Message m) {
        queue.add(m);
    }

    /** Starts the worker: a platform thread, since virtual threads are not time-sliced and pod news must not wait behind CPU-bound ones. */
    void start() {
        worker = Thread.ofPlatform().daemon().name("drover-inbox").start(this::run);
    }

    private void run() {
        List<Object> taken = new ArrayList<>();
        while (true) {
            taken.clear();
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(taken, MAX_BATCH - 1);
            List<Message> batch = new ArrayList<>(taken.size());
            boolean stop = false;
            for (Object o : taken) {
                if (o == STOP) {
                    stop = true;
                    break;
                }
                batch.add((Message) o);
            }
            try {
                handler.accept(batch);
            } catch (RuntimeException e) {
                log.error("handling {} message(s) failed; the worker goes on", batch.size(), e);
            }
            if (stop) {
                return;
            }
        }
    }

    /** Lets what is queued be handled, then stops the worker. */
    @Override
    public void close() {
        queue.add(STOP);
        if (worker != null) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
