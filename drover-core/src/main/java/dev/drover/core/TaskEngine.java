package dev.drover.core;

import dev.drover.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of one Drover instance: its loop claims queued tasks up to the parallelism and
 * starts their launches. Everything it learns afterwards (pod news, launch answers, cancels,
 * timeouts) goes through the {@link Inbox}, whose one worker moves the tasks: {@link PodNews},
 * {@link Recovery}, {@link Sweeps}; state changes by name in {@link TaskMoves}. No thread per
 * task and no per-task polling.
 */
final class TaskEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskEngine.class);
    static final int MAX_CLAIM = 256;

    /** Settings; see {@code Drover.Builder} for what each means. */
    record Settings(
            String owner,
            String cluster,
            int parallelism,
            int launchConcurrency,
            Duration tick,
            PendingRules pendingRules,
            int failureLogLines,
            Duration reconcileInterval,
            Duration namespaceWait,
            String host,
            String version,
            Duration heartbeatInterval,
            Duration aliveThreshold) {}

    /**
     * The engine's ways to the cluster: the apiserver in production, fakes in unit tests. {@code
     * logs}: where container logs are kept before a pod is let go (null: not kept).
     */
    record Parts(
            Launcher launcher,
            Cleanup cleanup,
            PodReads reads,
            Function<Consumer<Message>, Tracker> tracker,
            @org.jspecify.annotations.Nullable LogKeeper logs) {}

    private final TaskStore store;
    private final Settings settings;
    private final Clock clock;
    private final Consumer<Task> onChange;
    /** When not null, the only task ids this scheduler may claim (it never takes from the shared queue). */
    private final Supplier<Collection<String>> claimable;

    private final Inbox inbox = new Inbox(messages -> worker().handle(messages));
    private final Tracker tracker;
    private final InFlight inFlight = new InFlight(this::nudge);
    private final Recovery recovery;
    private final Sweeps sweeps;
    private final Worker worker;
    private final Background cleanups = new Background("cleanup", 32);
    private final Background podReads = new Background("pod reads", 8);
    /** Log reads of ended tries, bounded: a burst of endings does not open a read per pod at once. */
    // At most this many logs are read at once, each with up to 1 MiB buffered (PodLogArchiver);
    // only logs bigger than that hold a store connection while they stream in.
    private final Background logReads = new Background("log reads", 16);

    private final Launches launches;
    private final Liveness liveness;
    private final Heirship heirship;
    private final TaskMoves moves;
    private final Object wake = new Object();
    private volatile boolean stopped;
    private long lastSweep = System.nanoTime() - Long.MAX_VALUE / 2;
    private long lastReconcile = System.nanoTime();
    private Thread loop;

    TaskEngine(
            TaskStore store,
            Parts parts,
            Settings settings,
            Clock clock,
            Consumer<Task> onChange,
            Supplier<Collection<String>> claimable) {
        this(store, parts, settings, clock, onChange, claimable, EngineMetrics.none());
    }

    TaskEngine(
            TaskStore store,
            Parts parts,
            Settings settings,
            Clock clock,
            Consumer<Task> onChange,
            Supplier<Collection<String>> claimable,
            EngineMetrics metrics) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.onChange = onChange;
        this.claimable = claimable;
        EnginePieces pieces = new EnginePieces(
                store,
                parts,
                settings,
                clock,
                onChange,
                inbox,
                inFlight,
                cleanups,
                podReads,
                logReads,
                this::launchWhenListed,
                this::nudge,
                metrics);
        this.liveness = pieces.liveness;
        this.launches = pieces.launches;
        this.tracker = pieces.tracker;
        this.moves = pieces.moves;
        this.recovery = pieces.recovery;
        this.sweeps = pieces.sweeps;
        this.worker = pieces.worker;
        this.heirship = pieces.heirship;
    }

    private Worker worker() {
        return worker;
    }

    /**
     * Registers this replica (refused when its id is alive elsewhere), holds what the store says is
     * in flight here (each resumes once its namespace is listed), then starts the loop.
     */
    void start() {
        liveness.start();
        inbox.start();
        recovery.start();
        heirship.start();
        loop = Thread.ofPlatform().daemon().name("drover-scheduler").start(this::run);
    }

    /** Wakes the loop at once (a task was submitted or cancelled, a slot freed). */
    void nudge() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    int inFlight() {
        return inFlight.size();
    }

    /** The pending rule a held task's pod matches now, as the worker last saw it (null: none, or not held). */
    PendingRule pendingRule(String taskId) {
        ActiveTask a = inFlight.get(taskId);
        return a == null ? null : a.pendingRule;
    }

    boolean holds(String taskId) {
        return inFlight.holds(taskId);
    }

    List<NamespaceStatus> namespaces() {
        return tracker.namespaces();
    }

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

    void tick() {
        // Every submit and every freed slot nudges the loop: claims follow at once, but the sweeps
        // run once per tick period and the reconciliation once per its interval.
        long now = System.nanoTime();
        if (now - lastSweep >= settings.tick().toNanos()) {
            lastSweep = now;
            sweeps.sweep();
        }
        if (now - lastReconcile >= settings.reconcileInterval().toNanos()) {
            lastReconcile = now;
            recovery.reconcile();
            // Measured from its end too: a look that waited long on the store (an outage) is not
            // followed at once by the next, so "two looks in a row" stay an interval apart.
            lastReconcile = System.nanoTime();
        }
        claim();
    }

    /** Claims up to the free slots, in rounds of at most {@value #MAX_CLAIM}: launches start after the first round. */
    private void claim() {
        int want;
        while (!stopped && (want = Math.min(MAX_CLAIM, settings.parallelism() - inFlight.size())) > 0) {
            if (liveness.fenced()) {
                return; // its heartbeats do not reach the store: claim nothing until they do
            }
            List<Task> claimed = claimable == null
                    ? store.claim(settings.owner(), settings.cluster(), want, clock.instant())
                    : claimOnly(want);
            for (Task t : claimed) {
                ActiveTask a = inFlight.hold(t);
                try {
                    onChange.accept(t);
                } catch (RuntimeException e) {
                    log.error("task {}: a state listener failed after its claim", t.id(), e);
                }
                launchWhenListed(a); // the claim is committed: this task must launch, and so must the rest
            }
            if (claimed.size() < want) {
                return;
            }
        }
    }

    private List<Task> claimOnly(int want) {
        List<String> ids = claimable.get().stream()
                .filter(id -> !inFlight.holds(id))
                .limit(want)
                .toList();
        return ids.isEmpty() ? List.of() : store.claimIds(settings.owner(), settings.cluster(), ids, clock.instant());
    }

    /**
     * Launches as soon as the namespace's pods are listed (at once when they are): a pod is never
     * created where it could not be watched. The sweep defers a launch that waits too long.
     */
    private void launchWhenListed(ActiveTask a) {
        if (a.waitingSince == null) {
            a.waitingSince = clock.instant();
        }
        a.launchPending.set(true);
        tracker.track(a.namespace());
        if (tracker.synced(a.namespace()) && a.launchPending.compareAndSet(true, false)) {
            a.waitingSince = null;
            launches.start(a);
        }
    }

    /**
     * A graceful stop: no more claims; creates in flight may answer; tasks whose pod was never
     * asked for go back to the queue; what was learned is recorded; then the replica is marked
     * stopped, so the others take over its tasks in flight at once.
     */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        heirship.close();
        liveness.stopping();
        nudge();
        if (loop != null) {
            try {
                loop.join(10_000); // let a tick in progress finish its writes ...
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.interrupt(); // ... and only then cut it short
        }
        launches.close(); // creates in flight answer (up to a deadline); no new ones start
        tracker.close();
        inbox.close(); // what was learned before the watches stopped is still recorded
        recovery.handBack(moves.batch());
        podReads.close(Duration.ZERO);
        logReads.close(Duration.ZERO);
        cleanups.close(Duration.ofSeconds(10)); // let started cleanups finish
        liveness.close();
    }
}
