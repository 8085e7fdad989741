package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.get;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static dev.drover.sim.TestPods.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The simulator is a watcher and a writer too: it must ride out an apiserver restart. */
@Tag("kube")
class ApiServerRestartTest {

    @Test
    void podsRunningAcrossARestartFinishOnceAndLaterPodsStillRun() {
        // A private ground, so restarting its apiserver disturbs no other test.
        try (TestGround ground = TestGround.builder().build().start();
                KubernetesClient client = ground.adminClient()) {
            String ns = ground.createNamespace("restart");
            try (NodeSimulator sim = NodeSimulator.builder(client)
                    .namespaces(ns)
                    .nodes(2)
                    .build()
                    .start()) {
                List<String> before =
                        IntStream.range(0, 3).mapToObj(i -> "before-" + i).toList();
                before.forEach(name -> create(client, ns, pod(name, "run=2s; log=a|b", container("main", "x"))));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> before.stream().allMatch(n -> "Running".equals(phase(client, ns, n))));
                Map<String, String> startedAt = new HashMap<>();
                before.forEach(n -> startedAt.put(
                        n,
                        status(get(client, ns, n), "main")
                                .getState()
                                .getRunning()
                                .getStartedAt()));

                // Down long enough for the pods to end: their final statuses must wait and be retried.
                ground.stopApiServer();
                await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().retries() > 0);
                ground.restartApiServerAfterStop();

                List<String> after =
                        IntStream.range(0, 3).mapToObj(i -> "after-" + i).toList();
                after.forEach(name -> create(client, ns, pod(name, "run=200ms", container("main", "x"))));
                await().atMost(Duration.ofSeconds(60)).until(() -> sim.stats().podsFinished() == 6);

                for (String n : before) {
                    var terminated =
                            status(get(client, ns, n), "main").getState().getTerminated();
                    assertThat(terminated.getReason()).isEqualTo("Completed");
                    assertThat(terminated.getStartedAt()).isEqualTo(startedAt.get(n)); // not walked twice
                    assertThat(client.pods().inNamespace(ns).withName(n).getLog())
                            .isEqualTo("a\nb\n");
                }
                after.forEach(n -> assertThat(phase(client, ns, n)).isEqualTo("Succeeded"));
                assertThat(sim.stats().podsStarted()).isEqualTo(6);
                assertThat(sim.stats().podsBound()).isEqualTo(6);
            }
        }
    }
}
