package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import dev.drover.testkit.TestGround;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One scale-out run: the same batch of tasks through K replicas sharing one total budget of
 * parallelism and creates in flight (so the apiserver sees the same load whatever K is, and any
 * difference is what coordination costs). First the idle replicas' own traffic on the store for a
 * while (the baseline: heartbeats and idle polling), then the batch: tasks/s = tasks ÷ (first
 * submit → last terminal transition), and the statements and transactions PostgreSQL counted for
 * it, the baseline taken off.
 */
final class ReplicasScaleOut {
    /** One run; {@code store}: what PostgreSQL counted. */
    record Run(
            int replicas,
            int parallelismEach,
            int launchConcurrencyEach,
            int tasks,
            double submitSeconds,
            double seconds,
            double tasksPerSecond,
            long succeeded,
            long failed,
            long endedMoreThanOnce,
            long notEnded,
            Map<String, Long> tasksByOwner,
            double idleReplicaCpuPerSecond,
            double replicaCpuSeconds,
            double apiServerCpuSeconds,
            double benchCpuSeconds,
            Store store,
            String error) {}

    /**
     * Store traffic. {@code idlePerSecond}: the idle replicas' statements per second (all of them
     * together) by kind; {@code run}: the replicas' statements over the window (submit → all ended
     * + settle) by kind, {@code submitter}: the bench submitter's; {@code perTask}: per task, idle
     * baseline × window taken off.
     */
    record Store(
            boolean statementsCounted,
            double idleSeconds,
            Map<String, Double> idlePerSecond,
            double idleTransactionsPerSecond,
            double windowSeconds,
            Map<String, Long> run,
            Map<String, Long> submitter,
            long transactions,
            long observerPolls,
            Map<String, Double> perTask,
            Map<String, Long> topStatements) {}

    private ReplicasScaleOut() {}

    static Run run(TestGround ground, PgCounters pg, CpuMeter cpu, ReplicasBench.Options o, int k, Progress progress)
            throws Exception {
        try (ReplicaFleet fleet = new ReplicaFleet(ground, pg, "scale-" + k, o)) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= k; i++) {
                ids.add("s" + k + "-r" + i);
            }
            // The budgets split exactly (the first replicas take the remainder): 32 creates over 3 is
            // 11 + 11 + 10, not 3 × 10, so the apiserver sees the same concurrency either way.
            int each = Math.max(1, o.scaleParallelism() / k);
            int conc = Math.max(1, o.scaleConcurrency() / k);
            int parRest = o.scaleParallelism() - each * k;
            int concRest = o.scaleConcurrency() - conc * k;
            List<ReplicaFleet.Member> members =
                    fleet.start(ids, i -> each + (i < parRest ? 1 : 0), i -> conc + (i < concRest ? 1 : 0));
            int n = o.scaleTasks();
            // Untimed, as many per replica as the single replica gets: each JVM compiles its task paths
            // before the measured batch (a JIT that is still busy in 3 JVMs would be measured as coordination).
            int warm = o.warmupTasks() * k;
            if (warm > 0) {
                progress.say("  warm-up: %d tasks", warm);
                try (Drover submitter = fleet.submitter()) {
                    submitter.submitAll(ReplicasFailover.specs("w", fleet.namespace, warm, o.scaleRun()));
                }
                long until = System.nanoTime() + o.timeoutSeconds() * 1_000_000_000L;
                while (fleet.terminalCount() < warm && System.nanoTime() < until) {
                    Thread.sleep(200);
                }
            }
            progress.say(
                    "scale-out with %d replica(s): parallelism %d and %d creates in flight in all, split over"
                            + " them; idle baseline %.0f s",
                    k, o.scaleParallelism(), o.scaleConcurrency(), o.idleMs() / 1000.0);
            Thread.sleep(1000); // past the start-up's own writes
            PgCounters.Snapshot idle0 = pg.read(fleet.database);
            double idleCpu0 = cpuSeconds(members);
            Thread.sleep(o.idleMs());
            double idleCpu = (cpuSeconds(members) - idleCpu0) / (o.idleMs() / 1000.0);
            PgCounters.Snapshot idle1 = pg.read(fleet.database);

            List<dev.drover.core.TaskSpec> specs = ReplicasFailover.specs("t", fleet.namespace, n, o.scaleRun());
            PgCounters.Snapshot run0 = pg.read(fleet.database);
            double replicaCpu0 = cpuSeconds(members);
            CpuMeter.Reading cpu0 = cpu.read();
            Instant first = Instant.now();
            long t0 = System.nanoTime();
            try (Drover submitter = fleet.submitter()) {
                for (int i = 0; i < n; i += 100) {
                    submitter.submitAll(specs.subList(i, Math.min(n, i + 100)));
                }
            }
            double submitSeconds = (System.nanoTime() - t0) / 1e9;
            // every submitted task must be in the store (a lost one would otherwise just look unfinished)
            long stored = fleet.observer.countByState().values().stream()
                            .mapToLong(Long::longValue)
                            .sum()
                    - warm;
            if (stored != n) {
                progress.say("  SUBMIT LOST TASKS: %,d submitted, %,d in the store", n, stored);
            }
            long polls = 0;
            long deadline = t0 + o.timeoutSeconds() * 1_000_000_000L;
            long lastSay = System.nanoTime();
            long done;
            while ((done = fleet.terminalCount() - warm) < Math.min(n, stored) && System.nanoTime() < deadline) {
                polls++;
                if (System.nanoTime() - lastSay > 5_000_000_000L) {
                    lastSay = System.nanoTime();
                    progress.say("  %,d / %,d ended, load %.1f", done, n, ExecutorStats.loadAverage());
                }
                Thread.sleep(500);
            }
            polls++;
            String error = stored != n
                    ? "submitted " + n + ", stored " + stored
                    : done < n ? "timed out: " + done + " of " + n + " ended" : null;
            double replicaCpu = cpuSeconds(members) - replicaCpu0;
            CpuMeter.Usage used = cpu.since(cpu0);
            // PostgreSQL flushes a backend's transaction counts up to ~10 s late when it goes idle.
            Thread.sleep(o.settleMs());
            PgCounters.Snapshot run1 = pg.read(fleet.database);

            List<Task> all = fleet.tasks().stream()
                    .filter(t -> t.spec().name().startsWith("t"))
                    .toList();
            Instant last = first;
            long more = 0;
            long open = 0;
            for (Task t : all) {
                List<Transition> ends = fleet.observer.transitions(t.id()).stream()
                        .filter(tr -> tr.to().isTerminal())
                        .toList();
                if (ends.isEmpty()) {
                    open++;
                } else {
                    more += ends.size() > 1 ? 1 : 0;
                    last = ends.getLast().at().isAfter(last) ? ends.getLast().at() : last;
                }
            }
            double seconds = (last.toEpochMilli() - first.toEpochMilli()) / 1000.0;
            Map<String, Long> byOwner = new TreeMap<>(
                    all.stream().collect(Collectors.groupingBy(t -> String.valueOf(t.owner()), Collectors.counting())));
            Store store = store(pg, idle0, idle1, run0, run1, n, polls);
            progress.say(
                    "  %d replica(s): %,d tasks in %.1f s = %.1f tasks/s; per task %s",
                    k, n, seconds, n / seconds, store.perTask());
            return new Run(
                    k,
                    each,
                    conc,
                    n,
                    submitSeconds,
                    seconds,
                    n / seconds,
                    all.stream().filter(t -> t.state() == TaskState.SUCCEEDED).count(),
                    all.stream().filter(t -> t.state() == TaskState.FAILED).count(),
                    more,
                    open + (n - all.size()),
                    byOwner,
                    idleCpu,
                    replicaCpu,
                    used.apiServerSeconds(),
                    used.jvmSeconds(),
                    store,
                    error);
        }
    }

    /** CPU time of the replica processes so far (all threads), from the OS. */
    private static double cpuSeconds(List<ReplicaFleet.Member> members) {
        return members.stream()
                .mapToDouble(m -> m.process
                        .info()
                        .totalCpuDuration()
                        .map(d -> d.toNanos() / 1e9)
                        .orElse(0.0))
                .sum();
    }

    private static double less(Map<String, Long> run, Map<String, Double> idleRate, String kind, double seconds) {
        return run.get(kind) - idleRate.get(kind) * seconds;
    }

    private static Store store(
            PgCounters pg,
            PgCounters.Snapshot idle0,
            PgCounters.Snapshot idle1,
            PgCounters.Snapshot run0,
            PgCounters.Snapshot run1,
            int n,
            long polls) {
        double idleS = (idle1.nanos() - idle0.nanos()) / 1e9;
        double windowS = (run1.nanos() - run0.nanos()) / 1e9;
        Map<String, Long> idle = PgCounters.delta(idle0, idle1, PgCounters.REPLICAS);
        Map<String, Double> idleRate = new LinkedHashMap<>();
        idle.forEach((kind, c) -> idleRate.put(kind, c / idleS));
        double idleXacts = (idle1.transactions() - idle0.transactions()) / idleS;
        Map<String, Long> run = PgCounters.delta(run0, run1, PgCounters.REPLICAS);
        Map<String, Long> sub = PgCounters.delta(run0, run1, PgCounters.SUBMITTER);
        long xacts = run1.transactions() - run0.transactions();
        Map<String, Double> per = new LinkedHashMap<>();
        if (pg.statements()) {
            // Each explicit transaction costs a COMMIT round trip; its BEGIN rides with the first
            // statement. pg_stat_statements does not list pgjdbc's commits, so BEGINs count them.
            double task = less(run, idleRate, "task", windowS) / n;
            double isolation = less(run, idleRate, "isolation", windowS) / n;
            double begins = less(run, idleRate, "begin", windowS) / n;
            per.put("replica statements", task + isolation);
            per.put("  of which SHOW TRANSACTION ISOLATION LEVEL", isolation);
            per.put("replica explicit transactions (BEGIN)", begins);
            per.put("replica round trips (statements + COMMITs)", task + isolation + begins);
            // the baseline moves with the load (idle polls run on ticks that work also drives): the
            // gross figures show how much was taken off
            per.put(
                    "replica statements, gross (no baseline off)",
                    (double) (run.get("task") + run.get("isolation")) / n);
            per.put("replica explicit transactions, gross", (double) run.get("begin") / n);
            per.put("replica statements on the replicas table", less(run, idleRate, "heartbeat", windowS) / n);
            per.put("submitter statements", (double) (sub.get("task") + sub.get("isolation")) / n);
            per.put("submitter explicit transactions (BEGIN)", (double) sub.get("begin") / n);
        }
        // the bench's own polls (one countByState each) are in the database's count too
        per.put("database transactions (all roles, less the bench's polls)", (xacts - idleXacts * windowS - polls) / n);
        return new Store(
                pg.statements(),
                idleS,
                idleRate,
                idleXacts,
                windowS,
                run,
                sub,
                xacts,
                polls,
                per,
                PgCounters.topStatements(run0, run1, PgCounters.REPLICAS, 15));
    }
}
