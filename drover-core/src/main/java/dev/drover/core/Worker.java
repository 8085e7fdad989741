package dev.drover.core;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox's worker: takes each message to the piece it concerns, in order, and commits what they
 * decided in one store transaction. The only thread that changes the tasks held in flight.
 */
final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private final TaskMoves moves;
    private final PodNews news;
    private final Recovery recovery;
    private final Sweeps sweeps;
    private final StartupRecheck recheck;

    Worker(TaskMoves moves, PodNews news, Recovery recovery, Sweeps sweeps, StartupRecheck recheck) {
        this.moves = moves;
        this.news = news;
        this.recovery = recovery;
        this.sweeps = sweeps;
        this.recheck = recheck;
    }

    void handle(List<Message> messages) {
        TaskMoves.Batch b = moves.batch();
        for (Message m : messages) {
            try {
                switch (m) {
                    case Message.PodChanged c -> news.changed(c.pod(), c.deleted(), b);
                    case Message.Launched l -> news.launched(l, b);
                    case Message.Concluded c -> news.concluded(c, b);
                    case Message.NamespaceSynced s -> recovery.namespaceSynced(s.namespace(), b);
                    case Message.Resume r -> recovery.resume(r.task(), r.takenOver(), b);
                    case Message.DropAll d -> recovery.dropAll();
                    case Message.PodLookedUp p -> recovery.lookedUp(p, b);
                    case Message.CancelAsked c -> sweeps.cancelAsked(c, b);
                    case Message.Overdue o -> sweeps.overdue(o, b);
                    case Message.StartupRechecked r -> recheck.answered(r, b);
                    case Message.NamespaceWaitOver w -> sweeps.namespaceWaitOver(w, b);
                }
            } catch (RuntimeException e) {
                log.error("handling {} failed; going on", m, e);
            }
        }
        b.commit();
    }
}
