package dev.drover.core;

import dev.drover.core.store.TaskStore;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The engine's pieces, wired once: what learns and decides after a claim ({@link PodNews},
 * {@link Recovery}, {@link Sweeps}, their {@link Worker}, the state changes of {@link TaskMoves}),
 * the creates ({@link Launches}), the watches ({@link Tracker}), and what keeps this replica among
 * the others ({@link Liveness}, {@link Heirship}). {@link TaskEngine} keeps the loop.
 */
final class EnginePieces {
    final Liveness liveness;
    final Launches launches;
    final Tracker tracker;
    final TaskMoves moves;
    final PodNews news;
    final Recovery recovery;
    final Sweeps sweeps;
    final Worker worker;
    final Heirship heirship;

    EnginePieces(
            TaskStore store,
            TaskEngine.Parts parts,
            TaskEngine.Settings settings,
            Clock clock,
            Consumer<Task> onChange,
            Inbox inbox,
            InFlight inFlight,
            Background cleanups,
            Background podReads,
            Background logReads,
            Consumer<ActiveTask> launchWhenListed,
            Runnable nudge,
            EngineMetrics metrics) {
        this.liveness = Liveness.of(store, settings, clock);
        this.launches =
                new Launches(parts.launcher(), settings.launchConcurrency(), inbox::post, liveness::fenced, metrics);
        this.tracker = parts.tracker().apply(inbox::post);
        this.moves = new TaskMoves(store, clock, onChange, settings.owner(), metrics);
        PodClassifier classifier = new PodClassifier(settings.pendingRules());
        this.news = new PodNews(
                inFlight,
                tracker,
                classifier,
                parts.reads(),
                logReads,
                parts.cleanup(),
                cleanups,
                inbox,
                store,
                clock,
                settings.failureLogLines(),
                parts.logs());
        this.recovery = new Recovery(
                store,
                settings.owner(),
                inFlight,
                tracker,
                parts.reads(),
                podReads,
                inbox,
                news,
                launchWhenListed,
                parts.cleanup());
        StartupRecheck recheck =
                new StartupRecheck(inFlight, parts.reads(), podReads, inbox, news, clock, settings.owner());
        this.sweeps = new Sweeps(
                store,
                inFlight,
                tracker,
                classifier,
                news,
                parts.cleanup(),
                cleanups,
                moves,
                inbox,
                clock,
                settings.namespaceWait(),
                recheck);
        this.worker = new Worker(moves, news, recovery, sweeps, recheck);
        this.heirship = new Heirship(
                inbox::post,
                nudge,
                new PodAdoption(
                        store,
                        settings.owner(),
                        tracker,
                        parts.reads(),
                        parts.cleanup(),
                        classifier,
                        liveness::aliveSiblings),
                settings.reconcileInterval());
        liveness.listener(heirship);
    }
}
