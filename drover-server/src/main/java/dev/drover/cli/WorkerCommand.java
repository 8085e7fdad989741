package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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

    @Mixin
    ReplicaOptions replica = new ReplicaOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Override
    public Integer call() throws Exception {
        return ConfigFile.apply(this, spec, config.file(), WorkerCommand::new).run();
    }

    private Integer run() throws Exception {
        pendingRules.rules(); // a bad file fails before anything is opened
        KubeTarget target = exec.kube.resolve();
        exec.checkSchedulerId();
        CountDownLatch stopped = new CountDownLatch(1);
        try (TaskStore store = exec.openStore();
                Drover drover = replica.applyTo(pendingRules.applyTo(exec.drover(store)))
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
                    drover.schedulerId(),
                    target.server() == null ? target.source() : target.server(),
                    replica.parallelism);
            while (!stopped.await(10, TimeUnit.SECONDS)) {
                System.err.printf("in flight: %d%n", drover.inFlight());
            }
            stop.awaitStopIfStopping();
        }
        return 0;
    }
}
