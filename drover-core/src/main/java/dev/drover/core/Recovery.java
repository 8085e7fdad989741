package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.PodView;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picking up tasks the store says are this scheduler's and in flight but memory does not hold:
 * all of them at a restart, and while running any the store has that memory lost (strays). Each is
 * resumed the same way, once its namespace's pods are listed: its pod's news replayed, its launch
 * repeated (idempotent: a 409 means the pod is ours), or, only when the pod is really gone, its
 * try failed as PodVanished. A pod another owner holds now is let go, never failed or touched.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final TaskStore store;
    private final String owner;
    private final InFlight inFlight;
    private final Tracker tracker;
    private final PodReads reads;
    private final Background lookups;
    private final Inbox inbox;
    private final PodNews news;
    private final Consumer<ActiveTask> launch;
    private final Cleanup cleanup;
    /** How often a pod that changed while we adopted it is looked at again before giving up to the next reconcile. */
    private static final int ADOPT_TRIES = 3;
    /** Tasks the store holds in flight for this scheduler that were not held here at the last look. */
    private final Set<String> strays = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Recovery(
            TaskStore store,
            String owner,
            InFlight inFlight,
            Tracker tracker,
            PodReads reads,
            Background lookups,
            Inbox inbox,
            PodNews news,
            Consumer<ActiveTask> launch,
            Cleanup cleanup) {
        this.store = store;
        this.owner = owner;
        this.inFlight = inFlight;
        this.tracker = tracker;
        this.reads = reads;
        this.lookups = lookups;
        this.inbox = inbox;
        this.news = news;
        this.launch = launch;
        this.cleanup = cleanup;
    }

    /**
     * At start, on the scheduler thread: holds every task in flight for this scheduler and starts
     * watching their namespaces; each task is resumed once its namespace is listed, so a slow or
     * forbidden namespace delays only its own tasks.
     */
    int start() {
        List<Task> mine = store.active(owner);
        for (Task t : mine) {
            inFlight.hold(t).resuming = true;
        }
        for (String ns : mine.stream().map(t -> t.spec().namespace()).distinct().toList()) {
            tracker.track(ns);
        }
        if (!mine.isEmpty()) {
            log.info(
                    "{} task(s) in flight from before the restart; each resumes once its namespace is listed",
                    mine.size());
        }
        return mine.size();
    }

    /**
     * The store's word against memory, while running (scheduler thread, every reconcile interval):
     * a task the store holds in flight for this scheduler that is not held here, seen so at two looks
     * in a row (so not a change in passing), is resumed as after a restart. No bug is known to lose
     * one; this makes sure none stays unfinished if one does. Held tasks still waiting for a look at
     * their pod (the look failed) are tried again.
     */
    void reconcile() {
        Set<String> seen = new HashSet<>();
        for (Task t : store.active(owner)) {
            ActiveTask held = inFlight.get(t.id());
            if (held != null) {
                if (held.resuming && tracker.synced(held.namespace())) {
                    inbox.post(new Message.Resume(t, false));
                }
                continue;
            }
            if (inFlight.wasLetGo(t.id(), t.tryNumber())) {
                continue; // its pod went to another owner; the store catches up when that owner records it
            }
            seen.add(t.id());
            if (strays.add(t.id())) {
                continue; // first look: wait for the next
            }
            log.warn(
                    "task {} is {} for this scheduler in the store but was not held here; picking it up",
                    t.id(),
                    t.state());
            inbox.post(new Message.Resume(t, false));
        }
        strays.retainAll(seen);
        // Pods in the watch that no task here holds wait for their cleanup, or belong to tasks that
        // ended or are unknown: each is settled again, so none keeps Drover's finalizer for long.
        for (PodView pod : tracker.pods()) {
            String id = pod.labels().get(PodLabels.TASK_ID);
            Integer tryNumber = PodLabels.tryOf(pod);
            if (id != null && tryNumber != null && inFlight.get(id, tryNumber) == null) {
                inbox.post(new Message.PodChanged(pod, false)); // an older try's too
            }
        }
    }

    /** On the worker: a task to resume (a stray, one taken over, or a held one whose pod look failed). */
    void resume(Task t, boolean takenOver, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(t.id());
        if (a == null) {
            if (inFlight.wasLetGo(t.id(), t.tryNumber()) && !takenOver) {
                return;
            }
            a = inFlight.hold(t);
            a.resuming = true;
            a.takenOver = takenOver;
            tracker.track(t.spec().namespace());
        }
        if (a.resuming && a.tryNumber == t.tryNumber() && tracker.synced(a.namespace())) {
            match(a, b);
        }
    }

    /** On the worker: the namespace is listed; every task waiting there is resumed or launched. */
    void namespaceSynced(String namespace, TaskMoves.Batch b) {
        for (ActiveTask a : List.copyOf(inFlight.all())) {
            if (!a.namespace().equals(namespace)) {
                continue;
            }
            if (a.resuming) {
                match(a, b);
            } else if (a.waitingSince != null) {
                launch.accept(a);
            }
        }
    }

    /** Matches a resuming task with its pod: the watch's view, else a launch, else a direct look. */
    private void match(ActiveTask a, TaskMoves.Batch b) {
        Optional<PodView> pod = tracker.pod(a.namespace(), a.expectedPodName());
        if (pod.isPresent()) {
            news.changed(pod.get(), false, b);
        } else if (a.state == TaskState.LAUNCHING && !a.takenOver) {
            log.info("task {}: claimed but no pod seen; launching again (a 409 means it was ours)", a.id);
            a.resuming = false;
            launch.accept(a);
        } else {
            // Not in the watch: gone, another replica's (taken over from it), relabelled away, or
            // labelled done. Ask, off this thread.
            lookUp(a);
            return;
        }
        news.askAgainIfCancelled(a);
    }

    /** A direct look at the try's pod, off the worker; the answer comes back as {@link Message.PodLookedUp}. */
    void lookUp(ActiveTask a) {
        String ns = a.namespace();
        String name = a.expectedPodName();
        lookups.run(() -> {
            try {
                inbox.post(new Message.PodLookedUp(a.id, a.tryNumber, reads.lookUp(ns, name)));
            } catch (RuntimeException e) {
                log.warn("task {}: could not look up pod {}/{} ({}); trying again later", a.id, ns, name, e.toString());
            }
        });
    }

    /** On the worker: this replica was declared dead; its heirs record its tasks, so it forgets them without a write. */
    void dropAll() {
        List<ActiveTask> held = List.copyOf(inFlight.all());
        held.forEach(inFlight::release);
        strays.clear();
        if (!held.isEmpty()) {
            log.warn("dropped {} task(s) this replica held: it was declared dead, its heirs have them", held.size());
        }
    }

    /** On the worker: what the direct look found. */
    void lookedUp(Message.PodLookedUp m, TaskMoves.Batch b) {
        ActiveTask a = inFlight.get(m.taskId(), m.tryNumber());
        if (a == null || !a.resuming) {
            return;
        }
        if (m.pod().isEmpty()) {
            a.resuming = false;
            if (a.state == TaskState.LAUNCHING) {
                launch.accept(a); // taken over before its pod was made: make it (a 409 means it was made meanwhile)
                news.askAgainIfCancelled(a);
                return;
            }
            news.end(a, FailureDetails.of("PodVanished", "pod " + a.expectedPodName() + " is gone"), b);
            return;
        }
        PodView pod = m.pod().get();
        String podOwner = pod.labels().get(PodLabels.OWNER);
        if (owner.equals(podOwner)) {
            news.changed(pod, false, b); // ours, outside the watch (e.g. labelled done): what it says counts
            news.askAgainIfCancelled(a);
        } else if (!a.takenOver) {
            // Relabelled away by someone while the store still said ours: not ours to touch (an heir
            // takes the task in the store before it relabels the pod).
            log.info(
                    "task {}: its pod {}/{} belongs to {} now; letting it go",
                    a.id,
                    pod.namespace(),
                    pod.name(),
                    podOwner);
            inFlight.letGo(a);
        } else {
            // The store gave this task to this replica: its pod is this replica's, whoever's name it
            // carries (the replica it was taken from may even run again, as a new run of its id).
            adopt(a, pod, podOwner);
        }
    }

    /**
     * The store gave this replica the task, and its pod still carries the name of a replica that is
     * not alive: relabel it, unless it changed since it was read (of several replicas racing, one
     * wins; the others get a 409 and let go). The watch then brings the pod like any other.
     */
    private void adopt(ActiveTask a, PodView pod, String from) {
        String ns = pod.namespace();
        String name = pod.name();
        String rv = pod.resourceVersion();
        lookups.run(() -> {
            if (cleanup.adopt(ns, name, rv, owner)) {
                log.info("task {}: adopted pod {}/{} of replica {}", a.id, ns, name, from);
            } else if (++a.adoptTries < ADOPT_TRIES) {
                lookUp(a); // it changed (its kubelet wrote, or another replica was first): look again
            } else {
                log.warn(
                        "task {}: pod {}/{} kept changing while it was adopted; the next reconcile tries again",
                        a.id,
                        ns,
                        name);
            }
        });
    }

    /** At a graceful stop: tasks claimed whose create never went out go back to the queue now, for any replica. */
    void handBack(TaskMoves.Batch b) {
        int n = 0;
        for (ActiveTask a : List.copyOf(inFlight.all())) {
            if (a.state == TaskState.LAUNCHING && a.podName == null && a.launchPending.get()) {
                b.requeue(a.id, a.tryNumber, Duration.ZERO, "handed back: its scheduler stopped");
                n++;
            }
        }
        try {
            b.commit();
        } catch (RuntimeException e) {
            log.warn("could not hand back {} task(s): {}", n, e.toString());
        }
    }
}
