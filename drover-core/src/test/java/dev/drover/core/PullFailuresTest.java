package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pending pods judged by the default pending rules on the real apiserver: a registry that is slow,
 * rate-limits or fails keeps the pod waiting within the startup timeout; an image that may never be
 * pulled fails at once. The "image-pull-failed" rule's grace is cut to 2 s here, so the registries
 * below stay slow for longer than it in a few seconds.
 */
@KubernetesTest
class PullFailuresTest {
    private ExecutorFixture fx;

    @BeforeEach
    void setUp(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name());
        List<PendingRule> rules = PendingRule.defaults().stream()
                .map(r -> r.name().equals("image-pull-failed")
                        ? new PendingRule(
                                r.name(), r.reasons(), r.message(), r.eventReasons(), Duration.ofSeconds(2), r.action())
                        : r)
                .toList();
        fx.startDrover(b -> b.pendingRules(rules));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** When the task first entered {@code state}. */
    private Instant entered(TaskHandle h, TaskState state) {
        return fx.store.transitions(h.id()).stream()
                .filter(tr -> tr.to() == state)
                .findFirst()
                .orElseThrow()
                .at();
    }

    @Test
    void aThrottledPullForLongerThanTheGraceButShorterThanTheStartupTimeoutRuns() {
        TaskHandle h = fx.drover.submit(fx.task(
                        "throttled",
                        "pull-throttle=3; pull-backoff=1s; pull-message=toomanyrequests: Rate exceeded; run=500ms")
                .startupTimeout(Duration.ofSeconds(60))
                .build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(Duration.between(entered(h, TaskState.PENDING), entered(h, TaskState.RUNNING)))
                .as("it waited on the registry for longer than the grace")
                .isGreaterThan(Duration.ofSeconds(2));
    }

    @Test
    void aRegistryAnswering503KeepsThePodWaitingUntilItsStartupTimeoutWhichIsATimeout() {
        TaskHandle h = fx.drover.submit(fx.task(
                        "unavailable",
                        "pull-fail; pull-backoff=500ms; pull-message=received unexpected HTTP status: 503 Service Unavailable")
                .startupTimeout(Duration.ofSeconds(8))
                .build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.failure().reason()).isEqualTo("StartupTimeout");
        assertThat(t.failure().message()).contains("503 Service Unavailable");
    }

    @Test
    void anImageThatMayNeverBePulledFailsAtOnceWithoutUsingItsRetries() {
        TaskHandle h = fx.drover.submit(
                fx.task("never", "never-pull").retries(2, Duration.ofSeconds(1)).build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.tryNumber()).isEqualTo(1);
        assertThat(t.failure().reason()).isEqualTo("ErrImageNeverPull");
        assertThat(t.failure().message()).contains("is not present with pull policy of Never");
    }

    @Test
    void aPodThatStartedJustBeforeItsStartupTimeoutKeepsRunning() {
        TaskHandle h = fx.drover.submit(fx.task("just-in-time", "bind-delay=2500ms; run=2s")
                .startupTimeout(Duration.ofSeconds(3))
                .build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(t.tryNumber()).isEqualTo(1);
    }
}
