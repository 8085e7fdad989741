package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.drover.testkit.KubernetesTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code log-bytes}: big generated logs, read through the apiserver as a log archiver would. */
@KubernetesTest
class GeneratedLogsTest extends SimulatorTest {
    private PodResource logs(KubernetesClient client, String name) {
        return client.pods().inNamespace(ns).withName(name);
    }

    private void awaitPhase(KubernetesClient client, String name, String phase) {
        await().atMost(Duration.ofSeconds(60)).until(() -> phase.equals(phase(client, ns, name)));
    }

    @Test
    void theWholeLogHoldsEveryGeneratedLineOnceInOrder(KubernetesClient client) throws Exception {
        create(client, ns, pod("big", "run=1s; log-bytes=5MB", container("main", "x")));
        awaitPhase(client, "big", "Succeeded");

        int expected = SimLogs.lineCount(5_000_000);
        int i = 0;
        long bytes = 0;
        try (InputStream body = logs(client, "big").getLogInputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                assertThat(line).as("line %d", i).isEqualTo(SimLogs.expectedLine(i));
                bytes += line.length() + 1;
                i++;
            }
        }

        assertThat(i).isEqualTo(expected).isEqualTo(50_000);
        assertThat(bytes).isEqualTo(5_000_000);
    }

    @Test
    void tailLinesOfAFiftyMegabyteLogAreItsLastLines(KubernetesClient client) {
        create(client, ns, pod("huge", "run=500ms; log-bytes=50MB", container("main", "x")));
        awaitPhase(client, "huge", "Succeeded");

        String tail = logs(client, "huge").tailingLines(3).getLog();

        assertThat(tail)
                .isEqualTo(SimLogs.expectedLine(499_997) + "\n" + SimLogs.expectedLine(499_998) + "\n"
                        + SimLogs.expectedLine(499_999) + "\n");
    }

    @Test
    void limitBytesCutsAGeneratedLogMidLine(KubernetesClient client) {
        create(client, ns, pod("cut", "run=100ms; log-bytes=1MB", container("main", "x")));
        awaitPhase(client, "cut", "Succeeded");

        String head = logs(client, "cut").limitBytes(250).getLog();

        assertThat(head)
                .isEqualTo(SimLogs.expectedLine(0) + "\n" + SimLogs.expectedLine(1) + "\n"
                        + SimLogs.expectedLine(2).substring(0, 50));
    }

    /**
     * A follower that drops its stream resumes with sinceTime (whole seconds, as the apiserver
     * forwards it) and skips lines not after the last timestamp it kept: no line lost, none twice.
     */
    @Test
    void aFollowerResumingWithSinceTimeLosesAndRepeatsNoLine(KubernetesClient client) {
        create(client, ns, pod("stream", "run=4s; log-bytes=2MB", container("main", "x")));
        awaitPhase(client, "stream", "Running");
        int expected = SimLogs.lineCount(2_000_000);

        List<Integer> got = new ArrayList<>();
        Instant[] last = new Instant[1];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // First stream: stop after a quarter of the lines, as a broken connection would.
            try (LogWatch watch = logs(client, "stream").usingTimestamps().watchLog();
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String line;
                while (got.size() < expected / 4 && (line = in.readLine()) != null) {
                    last[0] = keep(line, last[0], got);
                }
            }
            String since = last[0].truncatedTo(ChronoUnit.SECONDS).toString();
            try (LogWatch watch = logs(client, "stream")
                            .usingTimestamps()
                            .sinceTime(since)
                            .watchLog();
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    last[0] = keep(line, last[0], got);
                }
            }
        });

        assertThat(got).hasSize(expected);
        for (int i = 0; i < expected; i++) {
            assertThat(got.get(i)).as("line %d", i).isEqualTo(i);
        }
    }

    /** Keeps a timestamped line if it is newer than {@code last}; returns the newest timestamp. */
    private static Instant keep(String stamped, Instant last, List<Integer> got) {
        int space = stamped.indexOf(' ');
        Instant t = Instant.parse(stamped.substring(0, space));
        if (last != null && !t.isAfter(last)) {
            return last; // seen before the stream broke
        }
        String line = stamped.substring(space + 1);
        int i = SimLogs.indexOf(line);
        assertThat(line).isEqualTo(SimLogs.expectedLine(i));
        got.add(i);
        return t;
    }
}
