package dev.drover.core;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the heartbeats mean for this replica's scheduler: tasks taken over from a replica that is
 * not alive are resumed like strays (their pods adopted), a declaration of its own death drops
 * everything it holds, and every few heartbeats the pods of replicas that are not alive are
 * settled ({@link PodAdoption}).
 */
final class Heirship implements Liveness.Listener {
    private static final Logger log = LoggerFactory.getLogger(Heirship.class);
    private final Consumer<Message> inbox;
    private final Runnable nudge;
    private final PodAdoption adoption;
    private final int adoptEveryBeats;
    private int beats;

    Heirship(Consumer<Message> inbox, Runnable nudge, PodAdoption adoption, int adoptEveryBeats) {
        this.inbox = inbox;
        this.nudge = nudge;
        this.adoption = adoption;
        this.adoptEveryBeats = Math.max(1, adoptEveryBeats);
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

    @Override
    public void beat() {
        if (++beats % adoptEveryBeats != 0) {
            return;
        }
        try {
            int settled = adoption.sweep();
            if (settled > 0) {
                log.info("settled {} pod(s) of replicas that are not alive", settled);
            }
        } catch (RuntimeException e) {
            log.warn("settling the pods of replicas that are not alive failed; trying again: {}", e.toString());
        }
    }
}
