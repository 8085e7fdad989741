package dev.drover.core;

import dev.drover.kube.PodView;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A startup timeout is decided on fresh facts: before a try is timed out its pod is read again,
 * with one GET off the worker (the watch may lag, e.g. behind a busy apiserver). A pod that has
 * started (or finished) meanwhile goes on as it says; one that still waits (a throttled or
 * unavailable registry among them) is timed out, a {@code StartupTimeout} that is retried like any
 * failed try, never a launch failure.
 */
final class StartupRecheck {
    private static final Logger log = LoggerFactory.getLogger(StartupRecheck.class);

    private final InFlight inFlight;
    private final PodReads reads;
    private final Background lookups;
    private final Inbox inbox;
    private final PodNews news;
    private final Clock clock;
    private final String owner;

    StartupRecheck(
            InFlight inFlight,
            PodReads reads,
            Background lookups,
            Inbox inbox,
            PodNews news,
            Clock clock,
            String owner) {
        this.owner = owner;
        this.inFlight = inFlight;
        this.reads = reads;
        this.lookups = lookups;
        this.inbox = inbox;
        this.news = news;
        this.clock = clock;
    }

    /** On the worker: the try's startup timeout is due; its pod is read once, the answer comes back to the inbox. */
    void ask(ActiveTask a) {
        if (a.recheckingTimeout) {
            return; // one GET per decision: the sweeps find it overdue again until the answer is in
        }
        a.recheckingTimeout = true;
        String ns = a.namespace();
        String name = a.podName;
        lookups.run(() -> {
            Optional<PodView> pod;
            boolean read = true;
            try {
                pod = reads.lookUp(ns, name);
            } catch (RuntimeException e) {
                log.warn(
                        "task {}: could not read pod {}/{} again before its startup timeout ({})",
                        a.id,
                        ns,
                        name,
                        e.toString());
                pod = Optional.empty();
                read = false;
            }
            inbox.post(new Message.StartupRechecked(a.id, a.tryNumber, pod, read));
        });
    }

    /**
     * On the worker: what the pod says now. Started or finished: that counts, and the timeout is
     * off (a started pod's run timeout counts from now). Still waiting, gone, or not readable: the
     * try times out, its message saying what the pod waits for now.
     */
    void answered(Message.StartupRechecked m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a == null || a.ending) {
            return;
        }
        a.recheckingTimeout = false;
        if (Sweeps.overdue(a, clock.instant()) == null) {
            return; // the watch told meanwhile (it started): the answer is no newer than that
        }
        if (m.pod().isPresent() && !owner.equals(m.pod().get().labels().get(PodLabels.OWNER))) {
            return; // relabelled to another scheduler meanwhile: the watch lets it go, nothing to time out
        }
        m.pod().ifPresent(pod -> news.changed(pod, false, b));
        if (inFlight.get(a.id, a.tryNumber) != a || a.ending) {
            return; // it finished, or a pending rule gave up on it
        }
        FailureDetails why = Sweeps.overdue(a, clock.instant());
        if (why == null) {
            log.info("task {}: pod {} had started when its startup timeout was due; it goes on", a.id, a.podName);
            return;
        }
        news.end(a, why, b, Sweeps.deletesTimedOut(a.spec.cleanup()));
    }
}
