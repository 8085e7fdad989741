package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the cluster does to pods, on the real apiserver: preemption and admission errors end tries
 * on the infrastructure budget, not the user's retries; the scheduler's holds keep a task waiting
 * with what the scheduler said.
 */
@KubernetesTest
class ClusterDoingsTest {
    private ExecutorFixture fx;

    @BeforeEach
    void setUp(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name());
        fx.startDrover();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private boolean podGone(Task t, int tryNumber) {
        return fx.admin
                        .pods()
                        .inNamespace(fx.ns)
                        .withName(TaskIds.podName(t.spec().name(), t.id(), tryNumber))
                        .get()
                == null;
    }

    @Test
    void aPreemptedTryIsRetriedOnTheInfrastructureBudgetNotTheRetriesAndThenCountsAsAFailure() {
        TaskHandle h = fx.drover.submit(fx.task("preempted", "run=1m; disrupt=PreemptionByScheduler@1s")
                .retries(0, Duration.ofSeconds(1))
                .infraRetries(1)
                .build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.tryNumber()).as("a second try though retries is 0").isEqualTo(2);
        assertThat(t.infraFailures()).isEqualTo(1);
        assertThat(fx.store.transitions(h.id()))
                .anyMatch(tr -> tr.to() == TaskState.UP_FOR_RETRY
                        && tr.reason().contains("PreemptionByScheduler")
                        && tr.reason().contains("without using a retry"));
        assertThat(t.failure().exitCode()).as("its container was stopped").isEqualTo(143);
        await().atMost(Duration.ofSeconds(30)).until(() -> podGone(t, 1) && podGone(t, 2));
    }

    @Test
    void aPodTheKubeletRefusedAtAdmissionIsTheClustersDoing() {
        TaskHandle h = fx.drover.submit(fx.task("refused", "admission-error")
                .retries(0, Duration.ofSeconds(1))
                .infraRetries(2)
                .build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.tryNumber()).isEqualTo(3);
        assertThat(t.infraFailures()).isEqualTo(2);
        assertThat(t.failure().reason()).isEqualTo("UnexpectedAdmissionError");
    }

    @Test
    void anUnschedulablePodWaitsWithTheSchedulersMessageInItsStatusAndRunsOncePlaced() {
        TaskHandle h =
                fx.drover.submit(fx.task("big", "unschedulable=3s; run=500ms").build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(fx.store.transitions(h.id()))
                .anyMatch(tr -> tr.to() == TaskState.PENDING
                        && tr.reason() != null
                        && tr.reason().contains("Unschedulable: 0/2 nodes are available"));
    }

    @Test
    void aPodBehindASchedulingGateWaitsAndRunsWhenTheGateLifts() {
        TaskHandle h = fx.drover.submit(
                fx.task("gated", "scheduling-gate=2s; run=500ms").build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fx.store.transitions(h.id()))
                .anyMatch(tr -> tr.reason() != null && tr.reason().contains("SchedulingGated"));
    }
}
