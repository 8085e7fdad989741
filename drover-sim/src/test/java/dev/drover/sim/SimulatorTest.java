package dev.drover.sim;

import static org.awaitility.Awaitility.await;

import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For {@code @KubernetesTest} classes whose every test runs on one default node simulator: it is
 * started on the test's own namespace before each test and closed after it.
 */
abstract class SimulatorTest {
    NodeSimulator sim;
    String ns;

    @BeforeEach
    void startSimulator(KubernetesClient client, TestNamespace namespace) {
        ns = namespace.name();
        sim = NodeSimulator.builder(client).namespaces(ns).build().start();
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(30));
    }

    /** The last version of the pod seen (before it disappeared, if it did). */
    static Pod last(PodRecorder recorder, String name) {
        List<Pod> versions = recorder.versions(name);
        return versions.get(versions.size() - 1);
    }
}
