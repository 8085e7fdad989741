package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Container logs served on the kubelet port and read through the apiserver's {@code pods/<p>/log}. */
@KubernetesTest
class ContainerLogsTest extends SimulatorTest {
    private PodResource logs(KubernetesClient client, String name) {
        return client.pods().inNamespace(ns).withName(name);
    }

    private void awaitPhase(KubernetesClient client, String name, String phase) {
        eventually().until(() -> phase.equals(phase(client, ns, name)));
    }

    @Test
    void theLogHoldsTheBehavioursLines(KubernetesClient client) {
        create(client, ns, pod("talk", "run=200ms; log=one|two|three", container("main", "ignored")));
        awaitPhase(client, "talk", "Succeeded");

        assertThat(logs(client, "talk").inContainer("main").getLog()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void aSlowKubeletAnswersALogRequestOnlyAfterItsDelay(KubernetesClient client) {
        create(client, ns, pod("slow", "run=100ms; log=late; log-delay=1500ms", container("main", "ignored")));
        awaitPhase(client, "slow", "Succeeded");

        long start = System.nanoTime();
        String log = logs(client, "slow").getLog();

        assertThat(log).isEqualTo("late\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void withoutLogLinesTheContainerLogsItsCommandLine(KubernetesClient client) {
        create(client, ns, pod("echo", "run=100ms", container("main", "sh", "-c", "echo hi")));
        awaitPhase(client, "echo", "Succeeded");

        assertThat(logs(client, "echo").getLog()).isEqualTo("sh -c echo hi\n");
    }

    @Test
    void eachContainerServesItsOwnLog(KubernetesClient client) {
        create(
                client,
                ns,
                pod("duo", "run=100ms; log.a=from a; log.b=from b", container("a", "x"), container("b", "y")));
        awaitPhase(client, "duo", "Succeeded");

        assertThat(logs(client, "duo").inContainer("a").getLog()).isEqualTo("from a\n");
        assertThat(logs(client, "duo").inContainer("b").getLog()).isEqualTo("from b\n");
    }

    @Test
    void tailLinesKeepsOnlyTheLastLines(KubernetesClient client) {
        create(client, ns, pod("tail", "run=100ms; log=1|2|3|4|5", container("main", "x")));
        awaitPhase(client, "tail", "Succeeded");

        assertThat(logs(client, "tail").tailingLines(2).getLog()).isEqualTo("4\n5\n");
    }

    @Test
    void timestampsPrefixEachLineWithItsTimeInRfc3339Nano(KubernetesClient client) {
        create(client, ns, pod("stamped", "run=1s; log=a|b", container("main", "x")));
        awaitPhase(client, "stamped", "Succeeded");

        String[] lines = logs(client, "stamped").usingTimestamps().getLog().split("\n");

        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z a");
        Instant first = Instant.parse(lines[0].split(" ")[0]);
        Instant second = Instant.parse(lines[1].split(" ")[0]);
        assertThat(Duration.between(first, second)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void sinceTimeSkipsEarlierLines(KubernetesClient client) {
        create(client, ns, pod("since", "run=2s; log=early|late", container("main", "x")));
        awaitPhase(client, "since", "Succeeded");
        String stamped = logs(client, "since").usingTimestamps().getLog();
        Instant late = Instant.parse(stamped.split("\n")[1].split(" ")[0]);
        // Lines are 1 s apart and sinceTime has whole seconds: late's second starts after early.
        Instant since = late.truncatedTo(ChronoUnit.SECONDS);

        assertThat(logs(client, "since").sinceTime(since.toString()).getLog()).isEqualTo("late\n");
    }

    @Test
    void limitBytesCutsTheLogShort(KubernetesClient client) {
        create(client, ns, pod("cut", "run=100ms; log=one|two", container("main", "x")));
        awaitPhase(client, "cut", "Succeeded");

        assertThat(logs(client, "cut").limitBytes(5).getLog()).isEqualTo("one\nt");
    }

    @Test
    void followStreamsLinesAsTheyAreWrittenAndEndsWhenTheContainerEnds(KubernetesClient client) {
        create(client, ns, pod("stream", "run=3s; log=one|two|three", container("main", "x")));
        awaitPhase(client, "stream", "Running");

        List<String> lines = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        long[] end = new long[1];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (LogWatch watch = logs(client, "stream").watchLog();
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    arrivals.add(System.nanoTime());
                }
                end[0] = System.nanoTime();
            }
        });

        assertThat(lines).containsExactly("one", "two", "three");
        // Lines come 1 s apart; the stream ends with the container, 1 s after the last line.
        assertThat(Duration.ofNanos(arrivals.get(2) - arrivals.get(1))).isGreaterThan(Duration.ofMillis(400));
        assertThat(Duration.ofNanos(end[0] - arrivals.get(2))).isGreaterThan(Duration.ofMillis(400));
        awaitPhase(client, "stream", "Succeeded");
    }

    @Test
    void aContainerThatHasNotStartedHasNoLogYet(KubernetesClient client) {
        create(client, ns, pod("stuck", "config-error", container("main", "x")));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "CreateContainerConfigError"
                        .equals(TestPods.waitingReason(TestPods.get(client, ns, "stuck"), "main")));

        assertThatThrownBy(() -> logs(client, "stuck").getLog())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("is waiting to start: CreateContainerConfigError");
    }

    @Test
    void theKubeletPortAnswers404ForAnUnknownPodOrContainer(KubernetesClient client) throws Exception {
        create(client, ns, pod("known", "run=100ms", container("main", "x")));
        awaitPhase(client, "known", "Succeeded");

        assertThat(KubeletPort.containerLogs(sim, ns, "known", "main")).isEqualTo(200);
        assertThat(KubeletPort.containerLogs(sim, ns, "known", "other")).isEqualTo(404);
        assertThat(KubeletPort.containerLogs(sim, ns, "unknown", "main")).isEqualTo(404);
    }

    @Test
    void theApiserverReachesTheKubeletPortOfTheNode(KubernetesClient client) {
        String node = sim.nodeNames().get(0);

        var endpoint = client.nodes()
                .withName(node)
                .get()
                .getStatus()
                .getDaemonEndpoints()
                .getKubeletEndpoint();

        assertThat(endpoint.getPort()).isEqualTo(sim.kubeletPort());
    }
}
