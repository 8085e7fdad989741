package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover worker}: the scheduler, until interrupted. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        header = "Runs queued tasks until interrupted (Ctrl-C, SIGTERM).")
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Option(names = "--parallelism", description = "Tasks in flight at most (default: ${DEFAULT-VALUE}).")
    int parallelism = 100;

    @Override
    public Integer call() throws Exception {
        KubeTarget target = exec.kube.resolve();
        ShutdownWait stop = ShutdownWait.install(Duration.ofSeconds(30));
        try (TaskStore store = exec.openStore();
                Drover drover =
                        exec.drover(store).parallelism(parallelism).build().start()) {
            System.err.printf(
                    "worker %s running on %s (parallelism %d); Ctrl-C stops%n",
                    drover.schedulerId(), target.server() == null ? target.source() : target.server(), parallelism);
            while (!stop.awaitStop(Duration.ofSeconds(10))) {
                System.err.printf("in flight: %d%n", drover.inFlight());
            }
        } finally {
            stop.closed();
        }
        return 0;
    }
}
