package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.AuditLog;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Several replicas on one store, each a worker in its own JVM: takeover, adoption, fencing, graceful stop. */
@KubernetesTest
class ReplicasTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration ALIVE = Duration.ofSeconds(3);

    private static List<TaskSpec> tasks(String ns, int n, String behavior) {
        List<TaskSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean fails = i % 10 == 9;
            specs.add(TaskSpec.builder("t" + i)
                    .namespace(ns)
                    .image("registry.example/app:1")
                    .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, behavior + (fails ? "; exit=3" : ""))
                    .build());
        }
        return specs;
    }

    private static TaskState expected(Task t) {
        return t.spec().name().endsWith("9") ? TaskState.FAILED : TaskState.SUCCEEDED;
    }

    @Test
    void aKilledReplicasTasksAreTakenOverAndEveryTaskEndsExactlyOnce(TestGround ground, TestNamespace ns)
            throws Exception {
        try (Fleet fleet = new Fleet(ground, ns.name(), HEARTBEAT, ALIVE);
                Drover client = fleet.client()) {
            List<Fleet.Worker> workers = List.of(fleet.start("r1", 40), fleet.start("r2", 40), fleet.start("r3", 40));
            client.submitAll(tasks(ns.name(), 300, "run=3s"));
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> fleet.tasks().stream()
                                    .filter(t -> t.state().isTerminal())
                                    .count()
                            >= 60);

            // kill -9 the replica with the most tasks in flight
            Map<String, List<String>> byOwner = fleet.inFlightByOwner();
            Fleet.Worker victim = workers.stream()
                    .max((a, b) -> Integer.compare(
                            byOwner.getOrDefault(a.id, List.of()).size(),
                            byOwner.getOrDefault(b.id, List.of()).size()))
                    .orElseThrow();
            victim.kill();
            Instant killedAt = Instant.now();
            List<String> orphaned = fleet.inFlightByOwner().getOrDefault(victim.id, List.of());
            assertThat(orphaned).as("the victim held tasks in flight").isNotEmpty();

            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> fleet.tasks().stream().allMatch(t -> t.state().isTerminal()));

            List<Task> all = fleet.tasks();
            assertThat(all).hasSize(300);
            for (Task t : all) {
                List<Transition> history = fleet.store.transitions(t.id());
                assertThat(history.stream().filter(tr -> tr.to().isTerminal()))
                        .as("%s ends exactly once: %s", t.id(), history)
                        .hasSize(1);
                assertThat(t.state()).as(t.id() + "\n" + fleet.logs()).isEqualTo(expected(t));
            }
            // at most one pod per (task, try): the apiserver's own count of creates
            Map<String, Long> created = AuditLog.read(ground, ns.name()).stream()
                    .filter(e -> e.verb().equals("create")
                            && "pods".equals(e.resource())
                            && e.subresource() == null
                            && e.code() == 201)
                    .collect(Collectors.groupingBy(e -> e.name(), Collectors.counting()));
            assertThat(created.values()).allMatch(n -> n == 1);
            // (a create whose client died with it may have no complete audit record: a name may be missing)
            assertThat(all.stream().map(t -> t.podName()).toList()).containsAll(created.keySet());
            // the tasks its heirs took over (what the store said at the kill may be a commit behind)
            List<String> takenOver = all.stream()
                    .filter(t -> fleet.store.transitions(t.id()).stream()
                            .anyMatch(tr -> tr.reason() != null && tr.reason().endsWith(" from " + victim.id)))
                    .map(Task::id)
                    .toList();
            assertThat(takenOver).as("tasks taken over from the victim").isNotEmpty();
            assertThat(orphaned).containsAll(takenOver);
            // nothing left behind: every kept pod (failed ones) is done, and the pods of the tasks taken
            // over were adopted (a pod the victim had finished itself may keep its name)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<Pod> left =
                        fleet.admin().pods().inNamespace(ns.name()).list().getItems();
                assertThat(left).allSatisfy(p -> {
                    assertThat(p.getMetadata().getLabels()).containsEntry("drover.dev/done", "true");
                    if (takenOver.contains(p.getMetadata().getLabels().get("drover.dev/task-id"))) {
                        assertThat(p.getMetadata().getLabels().get("drover.dev/owner"))
                                .isNotEqualTo(victim.id);
                    }
                });
            });
            // the dead replica's tasks ended soon after its death: the threshold and a few seconds
            Instant lastOrphanEnd = takenOver.stream()
                    .map(id -> fleet.store.transitions(id).getLast().at())
                    .max(Instant::compareTo)
                    .orElseThrow();
            assertThat(Duration.between(killedAt, lastOrphanEnd)).isLessThan(ALIVE.plusSeconds(20));
        }
    }
}
