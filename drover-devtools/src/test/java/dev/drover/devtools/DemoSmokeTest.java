package dev.drover.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import org.junit.jupiter.api.Test;

/** The demo as README.md tells it, on the shared test ground instead of the detached one. */
@KubernetesTest
class DemoSmokeTest {
    @Test
    void theDemoShowsStatesEventsResultsFailuresAndLogsAndEveryTaskEndsAsExpected(TestGround ground) throws Exception {
        Cli.Run r = Cli.run(
                "demo",
                "--kubeconfig",
                ground.kubeconfig().toString(),
                "--store",
                "jdbc:h2:mem:demo;DB_CLOSE_DELAY=-1",
                "--timeout",
                "120");

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .containsPattern("task  hello-ok\\s+RUNNING")
                .containsPattern("task  flaky-retried\\s+UP_FOR_RETRY")
                .containsPattern("event \\S*bad-image\\S*\\s+Warning")
                .contains("--- hello-ok: SUCCEEDED after 1 try(s) (expected SUCCEEDED)")
                .contains("--- crunch-fails: FAILED after 1 try(s) (expected FAILED)")
                .contains("--- throttled-then-runs: SUCCEEDED")
                .contains("--- bad-image: FAILED")
                .contains("--- flaky-retried: FAILED after 2 try(s)")
                .contains("    failure: ")
                .contains("    log: working on it")
                .contains("    log: error: input file missing")
                .contains("Every task ended as expected: yes")
                .containsPattern("dashboard http://127\\.0\\.0\\.1:\\d+/  token [0-9a-f]{48}")
                .contains("The dashboard stopped with the demo")
                .contains("export KUBECONFIG=" + ground.kubeconfig());
    }
}
