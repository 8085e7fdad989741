package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.store.TaskStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover run <image> -- <cmd>}: submit, and with --wait run it here and exit with its code. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a task as a Kubernetes pod. With --wait this process schedules it (and nothing else of the",
            "store's queue) and waits, printing each state change, and exits with the task's exit code (1 when",
            "it failed without one). Ctrl-C or --wait-timeout cancel the task unless --keep-running is given.",
            "Without --wait the task is queued for a `drover worker`."
        })
final class RunCommand implements Callable<Integer> {
    /** The exit code when --wait-timeout ran out, as {@code timeout(1)} has it. */
    static final int TIMED_OUT = 124;

    /** How long a cancel on the way out may take to be carried out (the pod revoked). */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(20);

    @Mixin
    TaskSpecOptions task = new TaskSpecOptions();

    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Mixin
    PendingRulesOption pendingRules = new PendingRulesOption();

    @Option(names = "--wait", description = "Schedule here and wait for the end.")
    boolean await;

    @Option(names = "--wait-timeout", description = "Seconds to wait at most (default: ${DEFAULT-VALUE}).")
    long waitTimeoutSeconds = 3600;

    @Option(
            names = "--keep-running",
            description = "On Ctrl-C or --wait-timeout leave the task running instead of cancelling it; a worker"
                    + " with this --scheduler-id records its end.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        pendingRules.rules(); // checked even without --wait: a bad file is said at once
        if (!await) {
            return new SubmitCommand().submit(task, exec);
        }
        exec.checkSchedulerId(); // before anything is opened or stored
        if (waitTimeoutSeconds < 1) {
            throw new IllegalArgumentException(
                    "--wait-timeout must be at least 1 second (got " + waitTimeoutSeconds + ")");
        }
        try (TaskStore store = exec.openStore();
                Drover drover = pendingRules
                        .applyTo(exec.drover(store))
                        .ownSubmissionsOnly()
                        .build()
                        .start()) {
            TaskHandle h = drover.submit(task.toSpec());
            long t0 = System.nanoTime();
            h.onStateChange(t -> System.err.printf(
                    "[%6.1fs] %s %s%s%n",
                    (System.nanoTime() - t0) / 1e9,
                    t.id(),
                    t.state(),
                    t.reason() == null ? "" : " (" + t.reason() + ")"));
            Task done;
            // Ctrl-C (or SIGTERM) while waiting: the task is cancelled or left running, and the user told which.
            try (StopSignals stop = StopSignals.onStop(() -> {
                if (!h.result().isDone()) {
                    leave(drover, h, "was still running when this command was stopped", System.err);
                    drover.close(); // the revoke is written before the process goes
                }
            })) {
                done = h.result().get(waitTimeoutSeconds, TimeUnit.SECONDS);
                stop.awaitStopIfStopping(); // a Ctrl-C's cancel ended it: the stop says so and exits 130
            } catch (TimeoutException e) {
                leave(drover, h, "did not end within " + waitTimeoutSeconds + " s (--wait-timeout)", System.err);
                return TIMED_OUT;
            }
            print(store, done);
            return exitCode(done);
        }
    }

    /**
     * This process is going away before the task ended; it schedules nothing else, so by default the
     * task is cancelled (its pod deleted) rather than left without anyone to record its end.
     */
    private void leave(Drover drover, TaskHandle h, String why, PrintStream err) {
        if (keepRunning) {
            err.printf(
                    "drover: task %s %s; it keeps running. `drover worker --scheduler-id %s` records its end,"
                            + " `drover cancel %s` stops it.%n",
                    h.id(), why, drover.schedulerId(), h.id());
            return;
        }
        drover.cancel(h.id());
        try {
            Task end = h.result().get(CANCEL_GRACE.toSeconds(), TimeUnit.SECONDS);
            err.printf(
                    "drover: task %s %s; it is %s now%s.%n",
                    h.id(),
                    why,
                    end.state(),
                    switch (end.state()) {
                        case CANCELLED -> " (its pod is deleted)";
                        default -> " (it ended before the cancel)";
                    });
        } catch (TimeoutException | ExecutionException e) {
            err.printf(
                    "drover: task %s %s; its cancel is requested but not carried out yet: `drover status %s` tells.%n",
                    h.id(), why, h.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void print(TaskStore store, Task done) {
        if (exec.output == OutputFormat.json) {
            System.out.println(TaskView.toJson(TaskView.json(done, store.transitions(done.id()))));
        } else {
            System.out.println(TaskView.line(done));
            if (done.failure() != null) {
                done.failure().events().forEach(e -> System.out.println("  event: " + e));
                done.failure().logTail().forEach(l -> System.out.println("  log: " + l));
            }
        }
    }

    static int exitCode(Task t) {
        return switch (t.state()) {
            case SUCCEEDED -> 0;
            case FAILED ->
                t.failure() != null
                                && t.failure().exitCode() != null
                                && t.failure().exitCode() != 0
                        ? t.failure().exitCode()
                        : 1;
            default -> 2;
        };
    }
}
