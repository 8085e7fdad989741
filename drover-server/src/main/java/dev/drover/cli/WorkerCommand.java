package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover worker}: the scheduler, until interrupted. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = "Runs queued tasks until interrupted (Ctrl-C).")
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Option(names = "--parallelism", description = "Tasks in flight at most (default: ${DEFAULT-VALUE}).")
    int parallelism = 100;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try (TaskStore store = exec.openStore();
                Drover drover =
                        exec.drover(store).parallelism(parallelism).build().start()) {
            System.err.printf("worker %s running (parallelism %d); Ctrl-C stops%n", drover.schedulerId(), parallelism);
            while (!stop.await(10, TimeUnit.SECONDS)) {
                System.err.printf("in flight: %d%n", drover.inFlight());
            }
        }
        return 0;
    }
}
