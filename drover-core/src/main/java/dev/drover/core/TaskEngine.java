package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TransitionRequest;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of one Drover instance: claims queued tasks up to the parallelism, launches their
 * pods at a bounded rate, turns pod changes into task states through the classifier, enforces
 * timeouts, carries out cancels, and reconciles with the store after a restart. No thread per task
 * and no per-task polling: pod news comes from {@link PodTracker}'s watches.
 */
final class TaskEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskEngine.class);
    static final int MAX_CLAIM = 256;
    private static final Set<TaskState> IN_FLIGHT =
            EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING, TaskState.RUNNING);

    /** Settings; see {@code Drover.Builder} for what each means. */
    record Settings(
            String owner,
            int parallelism,
            double launchQps,
            int launchConcurrency,
            Duration tick,
            Set<String> fatalWaitingReasons,
            int failureLogLines,
            Duration quotaRetry,
            Duration reconcileInterval) {}

    private final TaskStore store;
    private final KubernetesClient client;
    private final Settings settings;
    private final Launcher launcher;
    private final PodCleanup cleanup;
    private final PodClassifier classifier;
    private final PodTracker tracker;
    private final Clock clock;
    private final Consumer<Task> onChange;
    private final Map<String, ActiveTask> active = new ConcurrentHashMap<>();
    private final Semaphore launchSlots;
    private final ExecutorService launches = Executors.newVirtualThreadPerTaskExecutor();
    // Cleanup writes (done label, delete) run beside the tracker, so pod news never queues behind them.
    private final ExecutorService cleanups = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore cleanupSlots = new Semaphore(32);
    private final Object wake = new Object();
    private volatile boolean stopped;
    private long lastSweep = System.nanoTime() - Long.MAX_VALUE / 2;
    private long lastReconcile = System.nanoTime();
    /** Tasks the store holds in flight for this scheduler that were not held here at the last look. */
    private final Set<String> strays = new java.util.HashSet<>();

    private Thread loop;

    TaskEngine(
            TaskStore store,
            KubernetesClient client,
            KubeApi api,
            Settings settings,
            Clock clock,
            Consumer<Task> onChange) {
        this.store = store;
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.onChange = onChange;
        this.launcher = new Launcher(api, settings.owner(), settings.quotaRetry());
        this.cleanup = new PodCleanup(api);
        this.classifier = new PodClassifier(settings.fatalWaitingReasons());
        this.tracker = new PodTracker(api, settings.owner(), this::onPods);
        this.launchSlots = new Semaphore(settings.launchConcurrency());
    }

    /** Reconciles with the store and the cluster, then starts the scheduling loop. */
    public void start() throws InterruptedException {
        reconcile();
        loop = Thread.ofPlatform().daemon().name("drover-scheduler").start(this::run);
    }

    /** Wakes the loop at once (a task was submitted or cancelled). */
    public void nudge() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    public int inFlight() {
        return active.size();
    }

    // --- restart reconciliation ---

    private void reconcile() throws InterruptedException {
        List<Task> mine = store.active(settings.owner());
        for (Task t : mine) {
            active.put(t.id(), new ActiveTask(t));
        }
        for (String ns : mine.stream().map(t -> t.spec().namespace()).distinct().toList()) {
            tracker.track(ns); // the initial list replays our pods' current states through onPod
        }
        for (Task t : mine) {
            ActiveTask a = active.get(t.id());
            if (a == null) {
                continue; // finished during the replay
            }
            String expected = TaskIds.podName(t.spec().name(), t.id(), t.tryNumber());
            if (tracker.pod(t.spec().namespace(), expected).isPresent()) {
                continue;
            }
            if (t.state() == TaskState.LAUNCHING) {
                log.info("task {}: claimed but no pod seen; launching again (a 409 means it was ours)", t.id());
                launchAsync(t);
            } else {
                finishTry(
                        a,
                        FailureDetails.of(
                                "PodVanished", "pod " + expected + " disappeared while this scheduler was down"),
                        atOnce);
            }
        }
        if (!mine.isEmpty()) {
            log.info("reconciled {} task(s) in flight from before the restart", mine.size());
        }
    }

    /**
     * The store's word against memory, while running: a task the store holds in flight for this
     * scheduler that this engine does not hold (seen so at two looks in a row, so not a change in
     * passing) is picked up as after a restart. No bug is known to lose one; this makes sure none
     * stays unfinished if one does.
     */
    private void adoptStrays() throws InterruptedException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Task t : store.active(settings.owner())) {
            if (active.containsKey(t.id())) {
                continue;
            }
            seen.add(t.id());
            if (strays.add(t.id())) {
                continue; // first look: wait for the next
            }
            log.warn(
                    "task {} is {} for this scheduler in the store but was not held here; picking it up",
                    t.id(),
                    t.state());
            adopt(t);
        }
        strays.retainAll(seen);
        strays.removeAll(active.keySet());
    }

    /** Holds a task the store says is ours and in flight: its pod's news, a launch, or PodVanished. */
    private void adopt(Task t) throws InterruptedException {
        ActiveTask a = new ActiveTask(t);
        active.put(t.id(), a);
        tracker.track(t.spec().namespace());
        String expected = TaskIds.podName(t.spec().name(), t.id(), t.tryNumber());
        Optional<PodView> pod = tracker.pod(t.spec().namespace(), expected);
        if (pod.isPresent()) {
            tracker.replay(pod.get()); // handled in order with the rest of the pod news
        } else if (t.state() == TaskState.LAUNCHING) {
            launchAsync(t); // idempotent: a 409 means the pod is ours
        } else {
            finishTry(a, FailureDetails.of("PodVanished", "pod " + expected + " is gone"), atOnce);
        }
    }

    // --- the loop ---

    private void run() {
        while (!stopped) {
            try {
                tick();
                synchronized (wake) {
                    wake.wait(settings.tick().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("scheduler tick failed; trying again", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    void tick() throws InterruptedException {
        // Every submit and every finished task nudges the loop: claims follow at once, but the
        // sweeps over the store (cancel requests) and over the tasks in flight (timeouts) run once
        // per tick period.
        long nowNanos = System.nanoTime();
        if (nowNanos - lastSweep >= settings.tick().toNanos()) {
            lastSweep = nowNanos;
            handleCancels();
            checkTimeouts();
        }
        if (nowNanos - lastReconcile >= settings.reconcileInterval().toNanos()) {
            lastReconcile = nowNanos;
            adoptStrays();
        }
        // In rounds of at most MAX_CLAIM: launches start after the first round, and a claim's
        // statements stay small (PostgreSQL takes at most 32767 parameters in one).
        int want;
        while (!stopped && (want = Math.min(MAX_CLAIM, settings.parallelism() - active.size())) > 0) {
            List<Task> claimed = store.claim(settings.owner(), want, now());
            for (Task t : claimed) {
                active.put(t.id(), new ActiveTask(t));
                try {
                    onChange.accept(t);
                    tracker.track(t.spec().namespace());
                } catch (RuntimeException e) {
                    // The claim is committed: this task must still launch, and so must the rest.
                    log.error("task {}: after its claim", t.id(), e);
                }
                launchAsync(t);
            }
            if (claimed.size() < want) {
                return;
            }
        }
    }

    private void launchAsync(Task t) {
        launches.submit(() -> {
            try {
                launchSlots.acquire();
                try {
                    launch(t);
                } finally {
                    launchSlots.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("launching task {} failed unexpectedly; it goes back to the queue", t.id(), e);
                requeue(t, Duration.ofSeconds(5), "launch error: " + e);
            }
        });
    }

    private void launch(Task t) {
        ActiveTask a = active.get(t.id());
        if (a == null) {
            return; // cancelled meanwhile
        }
        switch (launcher.launch(t)) {
            case LaunchResult.Created c -> {
                // The claim stored the pod name already (it is deterministic): no write here.
                a.podName = c.podName();
                if (a.seenAt == null) {
                    a.seenAt = now();
                }
            }
            case LaunchResult.Rejected r -> {
                // Retrying a pod the apiserver refuses would be refused again: fail the task.
                active.remove(t.id());
                atOnce.move(
                        t.id(),
                        t.tryNumber(),
                        IN_FLIGHT,
                        TaskState.FAILED,
                        r.details().summary(),
                        r.details(),
                        null,
                        NOTHING_MORE);
            }
            case LaunchResult.Requeue q -> requeue(t, q.after(), q.reason());
        }
    }

    private void requeue(Task t, Duration after, String reason) {
        active.remove(t.id());
        atOnce.move(
                t.id(),
                t.tryNumber(),
                EnumSet.of(TaskState.LAUNCHING),
                TaskState.QUEUED,
                "launch deferred: " + reason,
                null,
                now().plus(after),
                NOTHING_MORE);
        nudge();
    }

    // --- pod news ---

    /**
     * A run of pod changes from the tracker, handled in order; their state changes are committed
     * together, in one database transaction, and only then told to listeners.
     */
    private void onPods(List<PodTracker.PodChange> changes) {
        Batch batch = new Batch();
        for (PodTracker.PodChange c : changes) {
            try {
                onPod(c.pod(), c.deleted(), batch);
            } catch (RuntimeException e) {
                log.error(
                        "handling pod {}/{} failed; going on",
                        c.pod().namespace(),
                        c.pod().name(),
                        e);
            }
        }
        batch.commit();
    }

    private void onPod(PodView pod, boolean deleted, Writes writes) {
        String id = pod.labels().get(PodLabels.TASK_ID);
        String tryLabel = pod.labels().get(PodLabels.TRY);
        if (id == null || tryLabel == null) {
            return;
        }
        int tryNumber = Integer.parseInt(tryLabel);
        ActiveTask a = active.get(id);
        if (a == null || a.tryNumber != tryNumber) {
            settleStray(pod, deleted, id, tryNumber);
            return;
        }
        a.podUid = pod.uid();
        if (a.podName == null) {
            a.podName = pod.name();
        }
        if (a.seenAt == null) {
            a.seenAt = now();
        }
        switch (classifier.classify(pod, deleted)) {
            case Outcome.Pending p -> {
                if (a.state == TaskState.LAUNCHING) {
                    advance(
                            a,
                            EnumSet.of(TaskState.LAUNCHING),
                            TaskState.PENDING,
                            p.waitingReason() == null ? "pod pending" : "pod pending: " + p.waitingReason(),
                            writes);
                }
            }
            case Outcome.Running r -> {
                if (a.runningSince == null) {
                    a.runningSince = now();
                }
                if (a.state != TaskState.RUNNING) {
                    advance(
                            a,
                            EnumSet.of(TaskState.LAUNCHING, TaskState.PENDING),
                            TaskState.RUNNING,
                            "pod running",
                            writes);
                }
            }
            case Outcome.Succeeded s -> {
                active.remove(a.id);
                String podName = pod.name();
                writes.move(
                        a.id,
                        a.tryNumber,
                        IN_FLIGHT,
                        TaskState.SUCCEEDED,
                        "pod succeeded",
                        null,
                        null,
                        t -> inBackground(() ->
                                cleanup.finished(a.namespace(), podName, a.spec.cleanup() != CleanupPolicy.NEVER)));
                nudge();
            }
            case Outcome.Failed f -> finishTry(a, f.details(), writes);
            case Outcome.Ignored i -> {}
            case Outcome.LeftSelector l -> {
                // Relabelled away (adopted by another scheduler): free the slot, leave the task's state alone.
                active.remove(a.id);
                nudge();
            }
        }
    }

    /** A pod of a task this scheduler does not hold in flight: finished already, or an older try. */
    private void settleStray(PodView pod, boolean deleted, String id, int tryNumber) {
        if (deleted || pod.deleting()) {
            return; // on its way out already: nothing to settle
        }
        Optional<Task> t = store.get(id);
        if (t.isEmpty()) {
            return;
        }
        boolean over = t.get().state().isTerminal()
                || t.get().tryNumber() != tryNumber
                || t.get().state() == TaskState.UP_FOR_RETRY;
        Outcome o = classifier.classify(pod, false);
        if (over && (o instanceof Outcome.Succeeded || o instanceof Outcome.Failed)) {
            // e.g. a crash between recording the outcome and labelling the pod: finish the cleanup.
            boolean delete = switch (t.get().spec().cleanup()) {
                case ALWAYS -> true;
                case NEVER -> false;
                case DELETE_ON_SUCCESS -> o instanceof Outcome.Succeeded;
            };
            inBackground(() -> cleanup.finished(pod.namespace(), pod.name(), delete));
        }
    }

    private void finishTry(ActiveTask a, FailureDetails details, Writes writes) {
        if (active.remove(a.id) == null) {
            return;
        }
        FailureDetails full = enrich(a, details);
        String podName = a.podName;
        Consumer<Task> cleanUp = podName == null
                ? t -> {}
                : t -> inBackground(
                        () -> cleanup.finished(a.namespace(), podName, a.spec.cleanup() == CleanupPolicy.ALWAYS));
        if (a.tryNumber <= a.spec.retries()) {
            Duration backoff = a.spec.retryBackoff().multipliedBy(1L << Math.min(10, a.tryNumber - 1));
            writes.move(
                    a.id,
                    a.tryNumber,
                    IN_FLIGHT,
                    TaskState.UP_FOR_RETRY,
                    "try " + a.tryNumber + " failed: " + full.summary() + "; retrying in " + backoff.toSeconds() + " s",
                    full,
                    now().plus(backoff),
                    cleanUp);
        } else {
            writes.move(a.id, a.tryNumber, IN_FLIGHT, TaskState.FAILED, full.summary(), full, null, cleanUp);
        }
        nudge();
    }

    private FailureDetails enrich(ActiveTask a, FailureDetails d) {
        FailureDetails out = d.withEvents(tracker.recentEvents(a.namespace(), a.podUid, 10));
        if (settings.failureLogLines() > 0 && a.podName != null && d.container() != null && d.exitCode() != null) {
            try {
                String log = client.pods()
                        .inNamespace(a.namespace())
                        .withName(a.podName)
                        .inContainer(d.container())
                        .tailingLines(settings.failureLogLines())
                        .getLog();
                out = out.withLogTail(log == null ? List.of() : log.lines().toList());
            } catch (RuntimeException e) {
                log.debug("no log tail for {}: {}", a.podName, e.toString());
            }
        }
        return out;
    }

    private void inBackground(Runnable write) {
        cleanups.submit(() -> {
            try {
                cleanupSlots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                write.run();
            } finally {
                cleanupSlots.release();
            }
        });
    }

    // --- timeouts and cancels ---

    private void checkTimeouts() {
        Instant now = now();
        for (ActiveTask a : active.values()) {
            if (a.podName == null) {
                continue;
            }
            boolean starting = a.state == TaskState.LAUNCHING || a.state == TaskState.PENDING;
            if (starting
                    && a.runningSince == null
                    && a.seenAt != null
                    && now.isAfter(a.seenAt.plus(a.spec.startupTimeout()))) {
                timeOut(
                        a,
                        "StartupTimeout",
                        "was not running " + a.spec.startupTimeout().toSeconds() + " s after it was first seen");
            } else if (a.spec.runTimeout() != null
                    && a.runningSince != null
                    && now.isAfter(a.runningSince.plus(a.spec.runTimeout()))) {
                timeOut(
                        a,
                        "RunTimeout",
                        "ran longer than " + a.spec.runTimeout().toSeconds() + " s");
            }
        }
    }

    private void timeOut(ActiveTask a, String reason, String what) {
        String pod = a.podName;
        finishTry(a, FailureDetails.of(reason, "pod " + pod + " " + what), atOnce);
        inBackground(() -> cleanup.delete(a.namespace(), pod));
    }

    private void handleCancels() {
        for (Task t : store.cancelRequested()) {
            ActiveTask a = active.get(t.id());
            if (t.state() == TaskState.QUEUED || t.state() == TaskState.UP_FOR_RETRY) {
                atOnce.move(
                        t.id(),
                        t.tryNumber(),
                        EnumSet.of(TaskState.QUEUED, TaskState.UP_FOR_RETRY),
                        TaskState.CANCELLED,
                        "cancelled before launch",
                        null,
                        null,
                        NOTHING_MORE);
            } else if (a != null && a.podName != null) {
                active.remove(t.id());
                cleanup.revoke(a.namespace(), a.podName);
                atOnce.move(
                        t.id(),
                        t.tryNumber(),
                        IN_FLIGHT,
                        TaskState.CANCELLED,
                        "cancelled; pod " + a.podName + " deleted",
                        null,
                        null,
                        NOTHING_MORE);
                nudge();
            } else if (a == null
                    && IN_FLIGHT.contains(t.state())
                    && !settings.owner().equals(t.owner())) {
                log.debug("task {} is in flight with scheduler {}; it cancels it", t.id(), t.owner());
            }
            // LAUNCHING without a pod yet: the next tick, once the create answered.
        }
    }

    // --- store transitions ---

    /** Where state changes go: to the store at once ({@link #atOnce}), or into the tracker's {@link Batch}. */
    private abstract class Writes {
        /** {@code then} runs with the moved task once the change is committed (not if its compare failed). */
        final void move(
                String id,
                int tryNumber,
                Set<TaskState> from,
                TaskState to,
                String reason,
                FailureDetails failure,
                Instant nextAttemptAt,
                Consumer<Task> then) {
            add(new TransitionRequest(id, tryNumber, from, to, reason, failure, nextAttemptAt, now()), then);
        }

        abstract void add(TransitionRequest change, Consumer<Task> then);
    }

    private static final Consumer<Task> NOTHING_MORE = t -> {};

    private final Writes atOnce = new Writes() {
        @Override
        void add(TransitionRequest change, Consumer<Task> then) {
            told(store.transitionAll(List.of(change)).getFirst(), then);
        }
    };

    /** Listeners first, then what the caller does after the commit. */
    private void told(Optional<Task> moved, Consumer<Task> then) {
        moved.ifPresent(t -> {
            onChange.accept(t);
            then.accept(t);
        });
    }

    /** State changes gathered from a run of pod changes, committed in one transaction. */
    private final class Batch extends Writes {
        private final List<TransitionRequest> requests = new ArrayList<>();
        private final List<Consumer<Task>> thens = new ArrayList<>();

        @Override
        void add(TransitionRequest change, Consumer<Task> then) {
            requests.add(change);
            thens.add(then);
        }

        void commit() {
            List<Optional<Task>> results;
            try {
                results = store.transitionAll(requests);
            } catch (RuntimeException e) {
                // One bad change must not hold back the others: fall back to one transaction each.
                log.warn(
                        "committing {} state changes together failed ({}); one at a time",
                        requests.size(),
                        e.toString());
                results = new ArrayList<>();
                for (TransitionRequest r : requests) {
                    results.add(one(r));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                told(results.get(i), thens.get(i));
            }
        }

        private Optional<Task> one(TransitionRequest r) {
            try {
                return store.transitionAll(List.of(r)).getFirst();
            } catch (RuntimeException e) {
                log.error("task {}: could not record {}", r.id(), r.to(), e);
                return Optional.empty();
            }
        }
    }

    /** Moves an in-flight task on; its state here changes at once, so later news in a batch builds on it. */
    private void advance(ActiveTask a, Set<TaskState> from, TaskState to, String reason, Writes writes) {
        a.state = to;
        writes.move(a.id, a.tryNumber, from, to, reason, null, null, NOTHING_MORE);
    }

    private Instant now() {
        return clock.instant();
    }

    @Override
    public void close() {
        stopped = true;
        nudge();
        if (loop != null) {
            try {
                // Let a tick in progress finish its writes (e.g. the cleanup after an outcome) ...
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.interrupt(); // ... and only then cut it short.
        }
        launches.shutdownNow();
        tracker.close();
        cleanups.shutdown();
        try {
            cleanups.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS); // let started cleanups finish
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
