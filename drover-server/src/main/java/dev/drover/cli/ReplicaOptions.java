package dev.drover.cli;

import dev.drover.core.Drover;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a replica schedules and heartbeats: the options {@code worker} and {@code server} share. */
final class ReplicaOptions {
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

    @Option(
            names = "--launch-rate",
            paramLabel = "QPS",
            description = "Pod creations per second at most (default: 50).")
    double launchRate = 50;

    @Option(
            names = "--launch-concurrency",
            paramLabel = "N",
            description = "Pod creations in flight at most (default: 16).")
    int launchConcurrency = 16;

    @Option(
            names = "--api-qps",
            paramLabel = "QPS",
            description = "Client-side limit of all requests to the apiserver, burst twice that (default: 2.5 x"
                    + " --launch-rate, at least 50).")
    Double apiQps;

    Drover.Builder applyTo(Drover.Builder b) {
        if (apiQps != null) {
            b.apiQps(apiQps);
        }
        return b.launchRate(launchRate, launchConcurrency)
                .parallelism(parallelism)
                .heartbeat(heartbeatInterval, aliveThreshold)
                .reconcileInterval(reconcileInterval);
    }
}
