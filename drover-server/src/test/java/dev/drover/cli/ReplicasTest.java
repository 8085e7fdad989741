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
            // heirs racing for the dead one's pods: exactly one relabel got through per adopted pod
            Map<String, Long> relabels = AuditLog.read(ground, ns.name()).stream()
                    .filter(e -> e.patchesLabel("drover.dev/owner") && e.code() == 200)
                    .collect(Collectors.groupingBy(e -> e.name(), Collectors.counting()));
            assertThat(relabels).isNotEmpty();
            assertThat(relabels.values()).allMatch(n -> n == 1);
            // the dead replica's tasks ended soon after its death: the threshold and some seconds
            Instant lastOrphanEnd = takenOver.stream()
                    .map(id -> fleet.store.transitions(id).getLast().at())
                    .max(Instant::compareTo)
                    .orElseThrow();
            // (generous: on a loaded 2-core machine a takeover round can take a while; a stuck one never ends)
            assertThat(Duration.between(killedAt, lastOrphanEnd)).isLessThan(ALIVE.plusSeconds(45));
        }
    }

    private static List<String> takenOverFrom(Fleet fleet, String victim) {
        return fleet.tasks().stream()
                .filter(t -> fleet.store.transitions(t.id()).stream()
                        .anyMatch(tr -> tr.reason() != null && tr.reason().endsWith(" from " + victim)))
                .map(Task::id)
                .toList();
    }

    private static void everyTaskEndedOnceAsItsBehaviourSays(Fleet fleet) {
        for (Task t : fleet.tasks()) {
            List<Transition> history = fleet.store.transitions(t.id());
            assertThat(history.stream().filter(tr -> tr.to().isTerminal()))
                    .as("%s ends exactly once: %s", t.id(), history)
                    .hasSize(1);
            assertThat(t.state())
                    .as(() -> t.id() + " " + history + "\n" + podStory(fleet, t))
                    .isEqualTo(expected(t));
        }
    }

    /** What the apiserver saw happen to a task's pods: for a failing test's message. */
    private static String podStory(Fleet fleet, Task t) {
        return "pod story:\n"
                + AuditLog.read(fleet.ground.auditLog(), e -> true).stream()
                        .filter(e -> (e.name() != null && e.name().contains(t.id()))
                                || e.requestUri().contains(t.id()))
                        .map(e -> e.at() + " " + e.verb() + " " + e.subresource() + " " + e.user() + " " + e.code()
                                + " " + (e.requestObject() == null ? "" : e.requestObject()))
                        .collect(Collectors.joining("\n"));
    }

    /** Waits until every task ended; on a timeout says where each stands, and what the workers logged. */
    private static void awaitAllEnded(Fleet fleet, Duration atMost) {
        try {
            await().atMost(atMost)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> fleet.tasks().stream().allMatch(t -> t.state().isTerminal()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String open = fleet.tasks().stream()
                    .filter(t -> !t.state().isTerminal())
                    .map(t -> t.id() + " " + t.state() + " owner " + t.owner() + " " + fleet.store.transitions(t.id()))
                    .collect(Collectors.joining("\n"));
            throw new AssertionError("tasks still open:\n" + open + "\n" + fleet.logs(), e);
        }
    }

    @Test
    void aReplicaPausedPastTheThresholdNeitherOverwritesItsHeirNorCreatesPodsForTasksItLost(
            TestGround ground, TestNamespace ns) throws Exception {
        try (Fleet fleet = new Fleet(ground, ns.name(), HEARTBEAT, ALIVE);
                Drover client = fleet.client()) {
            Fleet.Worker paused = fleet.start("r1", 30);
            client.submitAll(tasks(ns.name(), 30, "run=8s"));
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> fleet.inFlightByOwner()
                                    .getOrDefault("r1", List.of())
                                    .size()
                            == 30);
            fleet.start("r2", 40);

            paused.pause();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !fleet.inFlightByOwner().containsKey("r1"));
            Instant resumedAt = Instant.now();
            paused.resume(); // it wakes with its old picture: pods it thinks it holds, news queued up

            awaitAllEnded(fleet, Duration.ofMinutes(2));
            everyTaskEndedOnceAsItsBehaviourSays(fleet);
            List<String> lost = takenOverFrom(fleet, "r1");
            assertThat(lost).hasSize(30);
            for (String id : lost) {
                assertThat(fleet.store.transitions(id).getLast().reason())
                        .as("the heir recorded the end")
                        .doesNotContain("r1");
            }
            List<AuditLog.Entry> byPaused = AuditLog.read(ground, ns.name()).stream()
                    .filter(e -> e.user().endsWith(":r1") && e.at().isAfter(resumedAt))
                    .toList();
            assertThat(byPaused)
                    .as("r1 after it woke: no pod made, none relabelled or labelled done")
                    .noneMatch(e -> e.verb().equals("create") && "pods".equals(e.resource()))
                    .noneMatch(e -> e.verb().equals("patch") && "pods".equals(e.resource()));
            await().atMost(Duration.ofSeconds(30)).until(() -> paused.logText().contains("was declared dead"));
        }
    }

    @Test
    void liveReplicasNeverRelabelEachOthersPods(TestGround ground, TestNamespace ns) throws Exception {
        try (Fleet fleet = new Fleet(ground, ns.name(), HEARTBEAT, ALIVE);
                Drover client = fleet.client()) {
            fleet.start("r1", 20);
            fleet.start("r2", 20);
            fleet.start("r3", 20);
            // finished pods around (failed ones are kept, done) and pods that keep running
            client.submitAll(tasks(ns.name(), 20, "run=1s"));
            client.submitAll(tasks(ns.name(), 15, "run=60s"));
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> fleet.tasks().stream()
                                            .filter(t -> t.state() == TaskState.RUNNING)
                                            .count()
                                    == 15
                            && fleet.tasks().stream()
                                            .filter(t -> t.state().isTerminal())
                                            .count()
                                    == 20);
            Instant from = Instant.now();

            long sweeps = 0;
            // several settling rounds of every replica (every 2 s each)
            await().pollDelay(Duration.ofSeconds(12))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> true);
            List<AuditLog.Entry> window = AuditLog.read(ground, ns.name()).stream()
                    .filter(e -> e.at().isAfter(from))
                    .toList();
            sweeps = window.stream()
                    .filter(e -> e.verb().equals("list") && e.requestUri().contains("notin"))
                    .count();
            assertThat(sweeps)
                    .as("the replicas did look for other replicas' pods")
                    .isGreaterThanOrEqualTo(9);
            assertThat(window.stream().filter(e -> e.patchesLabel("drover.dev/owner")))
                    .as("relabels in steady state")
                    .isEmpty();
        }
    }

    @Test
    void aGracefulStopHandsOverWithoutWaitingForTheThreshold(TestGround ground, TestNamespace ns) throws Exception {
        Duration longThreshold = Duration.ofSeconds(60);
        try (Fleet fleet = new Fleet(ground, ns.name(), Duration.ofSeconds(1), longThreshold);
                Drover client = fleet.client()) {
            Fleet.Worker leaving = fleet.start("r1", 20);
            client.submitAll(tasks(ns.name(), 20, "run=40s"));
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> fleet.inFlightByOwner()
                                    .getOrDefault("r1", List.of())
                                    .size()
                            == 20);
            fleet.start("r2", 20);

            // a second process with the id of a live replica is refused, naming the id and the fix
            Fleet.Worker impostor = fleet.launch("r2", "impostor", 5);
            assertThat(impostor.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(impostor.process.exitValue()).isEqualTo(2);
            assertThat(impostor.logText())
                    .contains("schedulerId 'r2' is in use by a live replica on host")
                    .contains("stop it or choose another schedulerId");
            // drover replicas tells who is there
            Cli.Run listed = Cli.run("replicas", "--store", fleet.storeUrl, "-o", "json");
            assertThat(listed.exit()).as(listed.err()).isZero();
            com.fasterxml.jackson.databind.JsonNode replicas =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed.out());
            assertThat(replicas.findValuesAsText("id")).containsExactlyInAnyOrder("r1", "r2");
            for (com.fasterxml.jackson.databind.JsonNode r : replicas) {
                assertThat(r.get("state").asText()).isEqualTo("RUNNING");
                assertThat(r.get("alive").asBoolean()).isTrue();
                assertThat(r.get("heartbeatAgeSeconds").asDouble()).isLessThan(longThreshold.toSeconds());
            }
            assertThat(replicas.findValues("inFlight").stream()
                            .mapToInt(n -> n.asInt())
                            .sum())
                    .isEqualTo(20);

            Instant stoppedAt = Instant.now();
            leaving.terminate();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !fleet.inFlightByOwner().containsKey("r1"));
            assertThat(Duration.between(stoppedAt, Instant.now())).isLessThan(longThreshold.dividedBy(2));
            assertThat(leaving.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(fleet.replica("r1").orElseThrow().state()).isEqualTo(dev.drover.core.ReplicaState.STOPPED);
            Cli.Run table = Cli.run("replicas", "--store", fleet.storeUrl);
            assertThat(table.out().lines().filter(l -> l.startsWith("r1 ")))
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains("STOPPED").contains(" no "));
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> fleet.tasks().stream().allMatch(t -> t.state().isTerminal()));
            everyTaskEndedOnceAsItsBehaviourSays(fleet);
        }
    }

    @Test
    void aCancelOfADeadReplicasTaskIsCarriedOutByItsHeir(TestGround ground, TestNamespace ns) throws Exception {
        try (Fleet fleet = new Fleet(ground, ns.name(), HEARTBEAT, ALIVE);
                Drover client = fleet.client()) {
            Fleet.Worker dying = fleet.start("r1", 10);
            List<String> ids = client.submitAll(tasks(ns.name(), 8, "run=20s")).stream()
                    .map(h -> h.id())
                    .toList();
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> fleet.tasks().stream()
                            .allMatch(t -> t.state() == TaskState.RUNNING && "r1".equals(t.owner())));
            dying.kill();
            List<String> cancelled = ids.subList(0, 4);
            cancelled.forEach(client::cancel); // asked while nobody alive holds them
            fleet.start("r2", 10);

            awaitAllEnded(fleet, Duration.ofMinutes(1));
            for (String id : ids) {
                Task t = fleet.store.get(id).orElseThrow();
                assertThat(t.owner()).as(id).isEqualTo("r2");
                assertThat(t.state())
                        .as(id + " " + fleet.store.transitions(id))
                        .isEqualTo(cancelled.contains(id) ? TaskState.CANCELLED : expected(t));
            }
            // the heir revoked and deleted the cancelled tasks' pods
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cancelled)
                            .allSatisfy(id -> assertThat(fleet.admin()
                                            .pods()
                                            .inNamespace(ns.name())
                                            .withName(fleet.store
                                                    .get(id)
                                                    .orElseThrow()
                                                    .podName())
                                            .get())
                                    .isNull()));
        }
    }

    @Test
    void aStoreOutageLosesNoTaskAndRunsNoneTwice(TestGround ground, TestNamespace ns) throws Exception {
        try (dev.drover.testkit.PostgresServer pg = dev.drover.testkit.PostgresServer.start();
                Fleet fleet = new Fleet(ground, ns.name(), HEARTBEAT, ALIVE, pg);
                Drover client = fleet.client()) {
            fleet.start("r1", 30);
            fleet.start("r2", 30);
            fleet.start("r3", 30);
            client.submitAll(tasks(ns.name(), 150, "run=3s"));
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> fleet.tasks().stream()
                                    .filter(t -> t.state().isTerminal())
                                    .count()
                            >= 20);

            Instant down = Instant.now();
            pg.takeDown();
            await().pollDelay(Duration.ofSeconds(30))
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> true);
            Instant up = Instant.now();
            pg.bringUp();

            awaitAllEnded(fleet, Duration.ofMinutes(3));
            everyTaskEndedOnceAsItsBehaviourSays(fleet);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fleet.store.replicas(ALIVE).stream()
                                    .filter(r -> r.alive())
                                    .count()
                            == 3);
            // while the store was away, the replicas' look for other replicas' pods left out only themselves
            List<AuditLog.Entry> outageLists = AuditLog.read(ground, ns.name()).stream()
                    .filter(e -> e.verb().equals("list")
                            && e.requestUri().contains("labelSelector=drover.dev%2Fowner%2C")
                            && e.at().isAfter(down.plusSeconds(5))
                            && e.at().isBefore(up))
                    .toList();
            assertThat(outageLists).isNotEmpty();
            assertThat(outageLists)
                    .allMatch(e -> !e.requestUri().contains("notin")
                            && e.requestUri()
                                    .contains("drover.dev%2Fowner%21%3D"
                                            + e.user().substring(e.user().lastIndexOf(':') + 1)));
        }
    }
}
