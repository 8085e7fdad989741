package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.Replica;
import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.Transition;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.AuditLog;
import dev.drover.testkit.TestGround;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One failover repetition: N replicas run tasks of a few seconds; once a third have ended, the one
 * holding most in flight is killed with SIGKILL. The store is polled every 100 ms for the moment
 * the last of its in-flight tasks has a survivor as owner, and for the moment all of them ended;
 * then every task is checked to have ended exactly once, and the audit log says how many owner
 * relabels each adopted pod took.
 */
final class ReplicasFailover {
    /** What one repetition found; times in seconds from the kill. */
    record Run(
            int repetition,
            String victim,
            int replicas,
            int tasks,
            int orphans,
            Map<String, Long> orphanStatesAtKill,
            double victimHeartbeatAgeAtKill,
            double killAfterSubmitSeconds,
            double takenOverSeconds,
            double orphansEndedSeconds,
            Map<String, Long> takenOverBy,
            int adoptedPods,
            int orphanPodsNotRelabelled,
            long relabels,
            long relabelsRefused,
            long minRelabelsPerPod,
            long maxRelabelsPerPod,
            long endedOnce,
            long endedMoreThanOnce,
            long notEnded,
            long podsCreatedTwice,
            String error) {}

    private ReplicasFailover() {}

    static Run run(TestGround ground, PgCounters pg, ReplicasBench.Options o, int rep, Progress progress)
            throws Exception {
        try (ReplicaFleet fleet = new ReplicaFleet(ground, pg, "failover-" + rep, o)) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= o.replicas(); i++) {
                ids.add("f" + rep + "-r" + i);
            }
            List<ReplicaFleet.Member> members = fleet.start(ids, o.failoverParallelism(), 16);
            int n = o.failoverTasks();
            progress.say(
                    "failover %d: %d replicas alive (parallelism %d each); %d tasks of %s into %s",
                    rep, members.size(), o.failoverParallelism(), n, o.failoverRun(), fleet.namespace);
            long submitAt = System.nanoTime();
            try (Drover submitter = fleet.submitter()) {
                submitter.submitAll(specs("t", fleet.namespace, n, o.failoverRun()));
            }
            long deadline = submitAt + o.timeoutSeconds() * 1_000_000_000L;
            while (fleet.terminalCount() < n / 3) {
                check(deadline, "a third of the tasks to end");
                Thread.sleep(100);
            }
            Map<String, List<String>> byOwner = fleet.inFlightByOwner();
            ReplicaFleet.Member victim = members.stream()
                    .max((a, b) -> Integer.compare(
                            byOwner.getOrDefault(a.id, List.of()).size(),
                            byOwner.getOrDefault(b.id, List.of()).size()))
                    .orElseThrow();
            double age = fleet.replica(victim.id)
                    .map(Replica::heartbeatAge)
                    .map(d -> d.toMillis() / 1000.0)
                    .orElse(Double.NaN);
            victim.kill();
            long killedAt = System.nanoTime();
            // The victim is gone: what the store holds for it now is all it will ever have written.
            List<String> orphans = fleet.inFlightByOwner().getOrDefault(victim.id, List.of());
            Map<String, Long> statesAtKill = new TreeMap<>(fleet.observer.getAll(orphans).stream()
                    .collect(Collectors.groupingBy(t -> t.state().name(), Collectors.counting())));
            progress.say(
                    "  killed %s (-9) %.1f s after the submit, its last heartbeat %.1f s old; %d of its tasks in"
                            + " flight",
                    victim.id, (killedAt - submitAt) / 1e9, age, orphans.size());
            if (orphans.isEmpty()) {
                return failed(rep, victim.id, o, n, "the victim held no task in flight at the kill");
            }
            long takenOverAt = 0;
            long endedAt = 0;
            while (endedAt == 0) {
                check(killedAt + (o.aliveThreshold().toNanos() + o.timeoutSeconds() * 1_000_000_000L), "orphans");
                List<Task> now = fleet.observer.getAll(orphans);
                if (takenOverAt == 0 && now.stream().allMatch(t -> !victim.id.equals(t.owner()))) {
                    takenOverAt = System.nanoTime();
                    progress.say(
                            "  all %d owned by survivors after %.2f s", orphans.size(), (takenOverAt - killedAt) / 1e9);
                }
                if (now.stream().allMatch(t -> t.state().isTerminal())) {
                    endedAt = System.nanoTime();
                }
                Thread.sleep(100);
            }
            while (fleet.terminalCount() < n) {
                check(deadline + o.aliveThreshold().toNanos(), "every task to end");
                Thread.sleep(200);
            }
            Thread.sleep(1000); // the audit log's last lines
            return judge(
                    ground,
                    fleet,
                    o,
                    rep,
                    victim,
                    orphans,
                    statesAtKill,
                    n,
                    age,
                    submitAt,
                    killedAt,
                    takenOverAt,
                    endedAt);
        }
    }

    private static Run judge(
            TestGround ground,
            ReplicaFleet fleet,
            ReplicasBench.Options o,
            int rep,
            ReplicaFleet.Member victim,
            List<String> orphans,
            Map<String, Long> statesAtKill,
            int n,
            double age,
            long submitAt,
            long killedAt,
            long takenOverAt,
            long endedAt) {
        List<Task> all = fleet.tasks();
        long once = 0;
        long more = 0;
        long open = 0;
        for (Task t : all) {
            List<Transition> h = fleet.observer.transitions(t.id());
            long ends = h.stream().filter(tr -> tr.to().isTerminal()).count();
            if (ends == 1) {
                once++;
            } else if (ends > 1) {
                more++;
            } else {
                open++;
            }
        }
        Map<String, Long> takenOverBy = new TreeMap<>(fleet.observer.getAll(orphans).stream()
                .collect(Collectors.groupingBy(t -> String.valueOf(t.owner()), Collectors.counting())));
        List<AuditLog.Entry> audit = AuditLog.read(ground, fleet.namespace);
        String victimUser = victim.user.userName();
        Map<String, long[]> relabels = new LinkedHashMap<>(); // pod -> {accepted, refused}
        for (AuditLog.Entry e : audit) {
            if (e.patchesLabel("drover.dev/owner") && !e.user().equals(victimUser)) {
                relabels.computeIfAbsent(e.name(), k -> new long[2])[e.code() == 200 ? 0 : 1]++;
            }
        }
        List<long[]> adopted = relabels.values().stream().filter(c -> c[0] > 0).toList();
        Map<String, Long> creates = audit.stream()
                .filter(e -> e.verb().equals("create")
                        && "pods".equals(e.resource())
                        && e.subresource() == null
                        && e.code() == 201)
                .collect(Collectors.groupingBy(AuditLog.Entry::name, Collectors.counting()));
        List<String> orphanPods = fleet.observer.getAll(orphans).stream()
                .map(Task::podName)
                .filter(p -> p != null)
                .toList();
        int notRelabelled = (int) orphanPods.stream()
                .filter(p -> relabels.getOrDefault(p, new long[2])[0] == 0)
                .count();
        return new Run(
                rep,
                victim.id,
                o.replicas(),
                n,
                orphans.size(),
                statesAtKill,
                age,
                (killedAt - submitAt) / 1e9,
                (takenOverAt - killedAt) / 1e9,
                (endedAt - killedAt) / 1e9,
                takenOverBy,
                adopted.size(),
                notRelabelled,
                adopted.stream().mapToLong(c -> c[0]).sum(),
                relabels.values().stream().mapToLong(c -> c[1]).sum(),
                adopted.stream().mapToLong(c -> c[0]).min().orElse(0),
                adopted.stream().mapToLong(c -> c[0]).max().orElse(0),
                once,
                more,
                open + (n - all.size()),
                creates.values().stream().filter(c -> c > 1).count(),
                null);
    }

    static Run failed(int rep, String victim, ReplicasBench.Options o, int n, String why) {
        return new Run(
                rep,
                victim,
                o.replicas(),
                n,
                0,
                Map.of(),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Map.of(),
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                n,
                0,
                why);
    }

    private static void check(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out waiting for " + what);
        }
    }

    static List<TaskSpec> specs(String prefix, String ns, int n, String run) {
        List<TaskSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            specs.add(TaskSpec.builder(prefix + i)
                    .namespace(ns)
                    .image("registry.example/bench:1")
                    .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, "run=" + run)
                    .build());
        }
        return specs;
    }
}
