package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.store.TaskStore;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover run <image> -- <cmd>}: submit, and with --wait run it here and exit with its code. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a task as a Kubernetes pod. With --wait this process schedules it and waits, printing",
            "each state change, and exits with the task's exit code (1 when it failed without one).",
            "Without --wait the task is queued for a `drover worker`."
        })
final class RunCommand implements Callable<Integer> {
    @Mixin
    TaskSpecOptions task = new TaskSpecOptions();

    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Option(names = "--wait", description = "Schedule here and wait for the end.")
    boolean await;

    @Option(names = "--wait-timeout", description = "Seconds to wait at most (default: ${DEFAULT-VALUE}).")
    long waitTimeoutSeconds = 3600;

    @Override
    public Integer call() throws Exception {
        if (!await) {
            return new SubmitCommand().submit(task, exec);
        }
        try (TaskStore store = exec.openStore();
                Drover drover = exec.drover(store).build().start()) {
            TaskHandle h = drover.submit(task.toSpec());
            long t0 = System.nanoTime();
            h.onStateChange(t -> System.err.printf(
                    "[%6.1fs] %s %s%s%n",
                    (System.nanoTime() - t0) / 1e9,
                    t.id(),
                    t.state(),
                    t.reason() == null ? "" : " (" + t.reason() + ")"));
            Task done = h.result().get(waitTimeoutSeconds, TimeUnit.SECONDS);
            if (exec.output == OutputFormat.json) {
                System.out.println(TaskView.toJson(TaskView.json(done, store.transitions(done.id()))));
            } else {
                System.out.println(TaskView.line(done));
                if (done.failure() != null) {
                    done.failure().events().forEach(e -> System.out.println("  event: " + e));
                    done.failure().logTail().forEach(l -> System.out.println("  log: " + l));
                }
            }
            return exitCode(done);
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
