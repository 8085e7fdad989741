package dev.drover.sim;

import static dev.drover.sim.TestPods.container;
import static dev.drover.sim.TestPods.create;
import static dev.drover.sim.TestPods.phase;
import static dev.drover.sim.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lean fidelity: the fewest writes that still tell a pod's story, and enough speed for load tests. */
@KubernetesTest
class LeanFidelityTest {
    private static final Logger log = LoggerFactory.getLogger(LeanFidelityTest.class);

    @Test
    void leanWritesOnlyTheBindingARunningStatusAndATerminalStatus(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .fidelity(Fidelity.LEAN)
                .build()
                .start()) {
            for (int i = 0; i < 10; i++) {
                create(client, ns.name(), pod("lean-" + i, "run=200ms", container("main", "x")));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().podsFinished() == 10);

            SimStats stats = sim.stats();
            assertThat(stats.writes("binding")).isEqualTo(10);
            assertThat(stats.writes("status")).isEqualTo(20);
            assertThat(stats.writes("event")).isZero();
            assertThat(client.v1().events().inNamespace(ns.name()).list().getItems())
                    .isEmpty();
            assertThat(phase(client, ns.name(), "lean-9")).isEqualTo("Succeeded");
        }
    }

    @Test
    void leanStillWritesTheWaitingStateAPullFailureIsAbout(KubernetesClient client, TestNamespace ns) {
        try (NodeSimulator sim = NodeSimulator.builder(client)
                        .namespaces(ns.name())
                        .fidelity(Fidelity.LEAN)
                        .build()
                        .start();
                PodRecorder recorder = new PodRecorder(client, ns.name())) {
            create(
                    client,
                    ns.name(),
                    pod("throttled", "pull-throttle=1; pull-backoff=200ms; run=100ms", container("main", "x")));

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> recorder.phases("throttled").contains("Succeeded"));

            assertThat(recorder.states("throttled", "main"))
                    .containsExactly("ErrImagePull", "ImagePullBackOff", "running", "terminated:Completed");
            assertThat(sim.stats().writes("event")).isZero();
        }
    }

    /**
     * A burst of pods: each gets exactly a binding and one status (run=0 folds running into the
     * end). Wall-clock rates depend on the apiserver and whatever else shares the machine, so they
     * are logged, not asserted (drover-bench's {@code sim} benchmark measures them).
     * {@code -Ddrover.sim.throughputPods=3000} measures longer.
     */
    @Test
    void leanHandlesABurstOfPodsWithTwoWritesEach(KubernetesClient client, TestNamespace ns) throws Exception {
        int pods = Integer.getInteger("drover.sim.throughputPods", 200);
        long c0 = System.nanoTime();
        ExecutorService creators = Executors.newFixedThreadPool(8);
        try {
            var all = IntStream.range(0, pods)
                    .mapToObj(i -> creators.submit(
                            () -> create(client, ns.name(), pod("load-" + i, "run=0", container("main", "x")))))
                    .toList();
            for (var f : all) {
                f.get();
            }
        } finally {
            creators.shutdown();
        }
        double createSeconds = (System.nanoTime() - c0) / 1e9;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(ns.name())
                .nodes(4)
                .fidelity(Fidelity.LEAN)
                .build()
                .start()) {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> sim.stats().podsFinished() == pods);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuMillisPerPod = (os.getProcessCpuTime() - cpu0) / 1e6 / pods;
            log.info(
                    "LEAN: {} pod lifecycles in {} s = {}/s (the apiserver took pod creates at {}/s); simulator CPU"
                            + " {} ms per lifecycle; {}",
                    pods,
                    String.format("%.2f", seconds),
                    String.format("%.0f", pods / seconds),
                    String.format("%.0f", pods / createSeconds),
                    String.format("%.2f", cpuMillisPerPod),
                    sim.stats());
            assertThat(sim.stats().writes("binding") + sim.stats().writes("status"))
                    .isEqualTo(2L * pods);
        }
    }
}
