package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.PodView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of replicas that are not alive, in the namespaces this replica watches: a periodic look
 * (from the watch cache) with a selector that leaves out this replica and every live sibling, so in
 * steady state it finds nothing and writes nothing. What it finds is settled once, by whichever
 * replica is first (every write carries the pod's resourceVersion as a precondition):
 *
 * <ul>
 *   <li>a pod of a task the store now gives this replica (taken over): relabelled to it;
 *   <li>a finished pod of a task that ended, or of an older try: cleaned up per the task's policy;
 *   <li>a pod still running for a task that ended or an older try: deleted (nobody records it);
 *   <li>a finished pod of a task the store does not know: cleaned up as the default policy says.
 * </ul>
 *
 * Everything else (a live sibling's task, a dead replica's task not taken over yet, a pod of an
 * unknown task still running) is left alone.
 */
final class PodAdoption {
    private static final Logger log = LoggerFactory.getLogger(PodAdoption.class);

    private final TaskStore store;
    private final String self;
    private final Tracker tracker;
    private final PodReads reads;
    private final Cleanup cleanup;
    private final PodClassifier classifier;
    private final Supplier<Optional<Set<String>>> aliveSiblings;

    PodAdoption(
            TaskStore store,
            String self,
            Tracker tracker,
            PodReads reads,
            Cleanup cleanup,
            PodClassifier classifier,
            Supplier<Optional<Set<String>>> aliveSiblings) {
        this.store = store;
        this.self = self;
        this.tracker = tracker;
        this.reads = reads;
        this.cleanup = cleanup;
        this.classifier = classifier;
        this.aliveSiblings = aliveSiblings;
    }

    /**
     * Pods with an owner that is neither this replica nor a live sibling, not done. When the
     * siblings are unknown (the store did not answer), only this replica is left out: a database
     * hiccup must not stop the cleanup of finished pods (every write is checked against the store).
     */
    static String selector(String self, Optional<Set<String>> alive) {
        String owner = PodLabels.OWNER;
        String others = alive.filter(s -> !s.isEmpty())
                .map(s -> owner + " notin (" + self + "," + s.stream().sorted().collect(Collectors.joining(",")) + ")")
                .orElse(owner + "!=" + self);
        return owner + "," + others + "," + PodLabels.DONE + "!=true";
    }

    /** One look at every watched namespace; returns how many pods it wrote to. */
    int sweep() {
        String selector = selector(self, aliveSiblings.get());
        int written = 0;
        for (NamespaceStatus ns : tracker.namespaces()) {
            List<PodView> pods;
            try {
                pods = reads.list(ns.namespace(), selector);
            } catch (RuntimeException e) {
                log.debug("pods of other replicas in {}: not listed ({})", ns.namespace(), e.toString());
                continue;
            }
            if (!pods.isEmpty()) {
                written += settle(pods);
            }
        }
        return written;
    }

    private int settle(List<PodView> pods) {
        Map<String, Task> tasks = new HashMap<>();
        store.getAll(pods.stream()
                        .map(p -> p.labels().get(PodLabels.TASK_ID))
                        .filter(id -> id != null)
                        .distinct()
                        .toList())
                .forEach(t -> tasks.put(t.id(), t));
        int written = 0;
        for (PodView pod : pods) {
            String id = pod.labels().get(PodLabels.TASK_ID);
            if (id == null) {
                continue;
            }
            if (settle(pod, tasks.get(id))) {
                written++;
            }
        }
        return written;
    }

    private boolean settle(PodView pod, Task t) {
        Outcome o = classifier.classify(pod, false);
        boolean finished = o instanceof Outcome.Succeeded || o instanceof Outcome.Failed;
        boolean succeeded = o instanceof Outcome.Succeeded;
        String tryLabel = pod.labels().get(PodLabels.TRY);
        String rv = pod.resourceVersion();
        if (t == null) {
            return finished
                    && cleanup.finishedIfUnchanged(
                            pod.namespace(), pod.name(), rv, CleanupPolicy.DELETE_ON_SUCCESS.deletesPod(succeeded));
        }
        boolean thisTry = Integer.toString(t.tryNumber()).equals(tryLabel);
        boolean inFlight = TaskMoves.IN_FLIGHT.contains(t.state());
        if (thisTry && inFlight) {
            if (!self.equals(t.owner())) {
                return false; // a live sibling's, or a dead replica's not taken over yet
            }
            boolean adopted = cleanup.adopt(pod.namespace(), pod.name(), rv, self);
            if (adopted) {
                log.info(
                        "adopted pod {}/{} of replica {} (task {})",
                        pod.namespace(),
                        pod.name(),
                        pod.labels().get(PodLabels.OWNER),
                        t.id());
            }
            return adopted;
        }
        if (thisTry && !t.state().isTerminal()) {
            return false; // queued again: its next launch finds the pod (409) and adopts it
        }
        // The task ended, or this is an older try: nobody will record this pod any more.
        return cleanup.finishedIfUnchanged(
                pod.namespace(), pod.name(), rv, !finished || t.spec().cleanup().deletesPod(succeeded));
    }
}
