package dev.drover.core;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the heartbeats mean for this replica's scheduler: tasks taken over from a replica that is
 * not alive are resumed like strays (their pods adopted), a declaration of its own death drops
 * everything it holds; and, on a thread of its own every reconcile interval, the pods of replicas
 * that are not alive are settled ({@link PodAdoption}). Its own thread, not the heartbeat's: a
 * heartbeat that waits on a store that is down must not hold back the cleanup of finished pods.
 */
final class Heirship implements Liveness.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Heirship.class);
    private final Consumer<Message> inbox;
    private final Runnable nudge;
    private final PodAdoption adoption;
    private final Duration every;
    private volatile boolean stopped;
    private Thread thread;

    Heirship(Consumer<Message> inbox, Runnable nudge, PodAdoption adoption, Duration every) {
        this.inbox = inbox;
        this.nudge = nudge;
        this.adoption = adoption;
        this.every = every;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("drover-adoption").start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                settle();
            }
        });
    }

    @Override
    public void tookOver(List<Task> tasks) {
        tasks.forEach(t -> inbox.accept(new Message.Resume(t, true)));
        nudge.run();
    }

    @Override
    public void declaredDead() {
        inbox.accept(new Message.DropAll());
    }

    /** One look at the pods of replicas that are not alive. Package-private: tests settle by hand. */
    void settle() {
        try {
            int settled = adoption.sweep();
            if (settled > 0) {
                log.info("settled {} pod(s) of replicas that are not alive", settled);
            }
        } catch (RuntimeException e) {
            log.warn("settling the pods of replicas that are not alive failed; trying again: {}", e.toString());
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
