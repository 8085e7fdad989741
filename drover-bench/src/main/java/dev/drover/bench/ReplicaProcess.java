package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * One replica of Drover for {@code replicas} ({@link ReplicaFleet} forks it): a started {@link
 * Drover} with the given identity, heartbeats and parallelism, on the given store and credentials,
 * until SIGTERM (graceful stop: Drover's close, then exit 143) or SIGKILL. Prints {@code ready} on
 * stdout once started. The store URL carries no secret (the run's PostgreSQL trusts loopback).
 */
@Command(name = "replica-process", hidden = true, description = "One Drover replica for the replicas benchmark.")
final class ReplicaProcess implements Callable<Integer> {
    @Option(names = "--store", required = true)
    String storeUrl;

    @Option(names = "--kubeconfig", required = true)
    Path kubeconfig;

    @Option(names = "--scheduler-id", required = true)
    String schedulerId;

    @Option(names = "--cluster", required = true)
    String cluster;

    @Option(names = "--parallelism", required = true)
    int parallelism;

    @Option(names = "--launch-concurrency", defaultValue = "16")
    int launchConcurrency;

    @Option(names = "--heartbeat-ms", required = true)
    long heartbeatMs;

    @Option(names = "--alive-threshold-ms", required = true)
    long aliveThresholdMs;

    @Option(names = "--reconcile-ms", required = true)
    long reconcileMs;

    @Override
    public Integer call() throws Exception {
        Config config = Config.fromKubeconfig(null, kubeconfig.toFile());
        CountDownLatch stopped = new CountDownLatch(1);
        TaskStore store = TaskStores.fromUrl(storeUrl);
        Drover drover = Drover.builder(config, store)
                .schedulerId(schedulerId)
                .cluster(cluster)
                .parallelism(parallelism)
                .launchRate(10_000, launchConcurrency) // no client-side rate limit: the apiserver is the limit
                .heartbeat(Duration.ofMillis(heartbeatMs), Duration.ofMillis(aliveThresholdMs))
                .reconcileInterval(Duration.ofMillis(reconcileMs))
                .build()
                .start();
        // The graceful stop writes to the store (hand back, stopped), so it runs before any shutdown hook.
        Signal.handle(
                new Signal("TERM"),
                sig -> Thread.ofPlatform().start(() -> {
                    try {
                        drover.close();
                        store.close();
                    } finally {
                        stopped.countDown();
                        System.exit(143);
                    }
                }));
        System.out.println("ready " + drover.schedulerId());
        System.out.flush();
        stopped.await();
        Thread.sleep(Long.MAX_VALUE); // System.exit ends it
        return 0;
    }
}
