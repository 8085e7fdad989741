package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover worker}: one replica of the scheduler, until interrupted. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        header = "Runs queued tasks until interrupted (Ctrl-C, SIGTERM); several may share one store.",
        description = {
            "One replica: it heartbeats in the store, takes over the tasks of replicas that are not alive and",
            "adopts their pods. Ctrl-C or SIGTERM stop it gracefully: tasks whose pod was not created go back",
            "to the queue, and it is marked stopped so the others take over its tasks at once."
        })
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Mixin
    PendingRulesOption pendingRules = new PendingRulesOption();

    @Option(names = "--parallelism", description = "Tasks in flight at most (default: ${DEFAULT-VALUE}).")
    int parallelism = 100;

    @Option(
            names = "--heartbeat-interval",
            converter = Durations.Converter.class,
            description = "How often this replica heartbeats in the store (default: 5s).")
    Duration heartbeatInterval = Duration.ofSeconds(5);

    @Option(
            names = "--alive-threshold",
            converter = Durations.Converter.class,
            description = "A replica whose last heartbeat is older than this is not alive and is taken over"
                    + " (default: 30s; at least three heartbeat intervals).")
    Duration aliveThreshold = Duration.ofSeconds(30);

    @Option(
            names = "--reconcile-interval",
            converter = Durations.Converter.class,
            description = "How often it compares the store's tasks with its own and settles the pods of replicas"
                    + " that are not alive (default: 30s).")
    Duration reconcileInterval = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        pendingRules.rules(); // a bad file fails before anything is opened
        KubeTarget target = exec.kube.resolve();
        exec.checkSchedulerId();
        CountDownLatch stopped = new CountDownLatch(1);
        try (TaskStore store = exec.openStore();
                Drover drover = pendingRules
                        .applyTo(exec.drover(store))
                        .parallelism(parallelism)
                        .heartbeat(heartbeatInterval, aliveThreshold)
                        .reconcileInterval(reconcileInterval)
                        .build()
                        .start();
                // On a signal the graceful stop writes to the store before the JVM's hooks run (an
                // embedded H2 store closes itself in one of them).
                StopSignals stop = StopSignals.onStop(() -> {
                    System.err.printf("worker %s stopping%n", drover.schedulerId());
                    drover.close();
                    stopped.countDown();
                })) {
            System.err.printf(
                    "worker %s running on %s (parallelism %d); Ctrl-C stops%n",
                    drover.schedulerId(), target.server() == null ? target.source() : target.server(), parallelism);
            while (!stopped.await(10, TimeUnit.SECONDS)) {
                System.err.printf("in flight: %d%n", drover.inFlight());
            }
            stop.awaitStopIfStopping();
        }
        return 0;
    }
}
