package dev.drover.bench;

import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicas benchmark: one private test ground (audit log on), one PostgreSQL of the run's own
 * with {@code pg_stat_statements}, one LEAN node simulator serving every namespace, and replicas as
 * processes of their own ({@link ReplicaFleet}). Failover repetitions ({@link ReplicasFailover}),
 * then the same batch through 1 and through N replicas ({@link ReplicasScaleOut}); {@link
 * ReplicasReport} judges, {@link ReplicasTables} prints.
 */
final class ReplicasBench {
    /** What to run; durations in milliseconds (the JSON has no java.time module). */
    record Options(
            int replicas,
            int repeat,
            long heartbeatMs,
            long aliveThresholdMs,
            long reconcileMs,
            int failoverParallelism,
            int failoverTasks,
            String failoverRun,
            int scaleTasks,
            int scaleParallelism,
            int scaleConcurrency,
            String scaleRun,
            long idleMs,
            long settleMs,
            int warmupTasks,
            int nodes,
            String replicaHeap,
            long timeoutSeconds,
            boolean failover,
            boolean scaleOut) {
        Duration heartbeat() {
            return Duration.ofMillis(heartbeatMs);
        }

        Duration aliveThreshold() {
            return Duration.ofMillis(aliveThresholdMs);
        }

        Duration reconcile() {
            return Duration.ofMillis(reconcileMs);
        }
    }

    private final Options o;
    private final Progress progress;

    ReplicasBench(Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    ReplicasReport run() throws Exception {
        double load0 = ExecutorStats.loadAverage();
        String startedAt = Instant.now().toString();
        progress.say(
                "replicas bench: %d replicas, heartbeat %d ms, alive threshold %d ms; starting a test ground and"
                        + " PostgreSQL",
                o.replicas(), o.heartbeatMs(), o.aliveThresholdMs());
        List<ReplicasFailover.Run> failovers = new ArrayList<>();
        List<ReplicasScaleOut.Run> scale = new ArrayList<>();
        boolean statements;
        try (TestGround ground = TestGround.builder()
                        .auditLog(true)
                        .apiServerFlag("--max-requests-inflight=800")
                        .apiServerFlag("--max-mutating-requests-inflight=400")
                        .build()
                        .start();
                PgCounters pg = PgCounters.start(progress);
                KubernetesClient simClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(ground.adminConfig())
                                .withUserAgent(ExecutorBench.UA_SIM)
                                .build())
                        .build();
                NodeSimulator sim = NodeSimulator.builder(simClient)
                        .nodes(o.nodes())
                        .nodeNamePrefix("replicas-")
                        .fidelity(Fidelity.LEAN) // every namespace
                        .build()
                        .start()) {
            statements = pg.statements();
            if (o.failover()) {
                for (int rep = 1; rep <= o.repeat(); rep++) {
                    try {
                        failovers.add(ReplicasFailover.run(ground, pg, o, rep, progress));
                    } catch (Exception e) { // reported with the others; the next repetition is a fresh fleet
                        progress.say("  failover %d failed: %s", rep, e);
                        failovers.add(ReplicasFailover.failed(rep, "-", o, o.failoverTasks(), e.toString()));
                    }
                }
            }
            if (o.scaleOut()) {
                CpuMeter cpu = CpuMeter.of(ground);
                scale.add(ReplicasScaleOut.run(ground, pg, cpu, o, 1, progress));
                scale.add(ReplicasScaleOut.run(ground, pg, cpu, o, o.replicas(), progress));
            }
        }
        ReplicasReport.Environment env = new ReplicasReport.Environment(
                Runtime.getRuntime().availableProcessors(),
                Runtime.version().toString(),
                startedAt,
                load0,
                ExecutorStats.loadAverage(),
                statements);
        return ReplicasReport.of(o, env, failovers, scale);
    }
}
