package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pending-rules FILE} on worker and run, and the infrastructure budget of a task's flags. */
class PendingRulesOptionTest {
    @TempDir
    Path dir;

    private final String store = Cli.memoryStore();

    private Path rules(String yaml) throws Exception {
        return Files.writeString(dir.resolve("rules.yaml"), yaml);
    }

    private static final String BAD_GRACE = """
            pendingRules:
              - name: mirror-down
                reasons: [ErrImagePull]
                action: fail
              - name: stuck-mount
                reasons: [ContainerCreating]
                grace: 5x
                action: retry
            """;

    @Test
    void theWorkerRefusesABadRulesFileNamingTheFileTheRuleAndTheFieldBeforeItStarts() throws Exception {
        Path file = rules(BAD_GRACE);

        Cli.Run r = Cli.run("worker", "--store", store, "--pending-rules", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .isEqualTo("drover: --pending-rules " + file + ": pendingRules[1] (stuck-mount).grace: '5x' is not a"
                        + " duration; write e.g. 0, 30s, 5m, 1h30m or PT30S\n");
    }

    @Test
    void runRefusesABadRulesFileAndQueuesNothing() throws Exception {
        Path file = rules("- name: typo\n  reason: [ErrImagePull]\n  action: fail\n");

        Cli.Run r = Cli.run(
                "run",
                "--store",
                store,
                "--cluster",
                "test-cluster",
                "--pending-rules",
                file.toString(),
                "busybox:1.36",
                "--",
                "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .startsWith("drover: --pending-rules " + file + ": pendingRules[0] (typo).reason: unknown field;");
        assertThat(Cli.run("list", "--store", store).out()).isEmpty();
    }

    @Test
    void aRulesFileThatIsNotThereIsAnErrorAboutTheFile() {
        Path missing = dir.resolve("missing.yaml");

        Cli.Run r = Cli.run("worker", "--store", store, "--pending-rules", missing.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).isEqualTo("drover: --pending-rules " + missing + ": no such file\n");
    }

    @Test
    void aGoodRulesFileIsTakenAndTheTaskQueued() throws Exception {
        Path file = rules("""
                - name: mirror-down
                  reasons: [ErrImagePull, ImagePullBackOff]
                  message: 'mirror\\.internal.*connection refused'
                  grace: 5m
                  action: fail
                """);

        Cli.Run r = Cli.run(
                "run",
                "--store",
                store,
                "--cluster",
                "test-cluster",
                "--pending-rules",
                file.toString(),
                "busybox:1.36",
                "--",
                "true");

        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void theInfrastructureBudgetIsAFlagAndABadOneIsNamedByIt() {
        Cli.Run ok = Cli.run(
                "submit", "--store", store, "--cluster", "test-cluster", "--infra-retries", "1", "busybox:1.36");
        Cli.Run bad = Cli.run(
                "submit", "--store", store, "--cluster", "test-cluster", "--infra-retries", "-1", "busybox:1.36");

        assertThat(ok.exit()).as(ok.err()).isZero();
        try (TaskStore s = TaskStores.fromUrl(store)) {
            TaskSpec spec = s.get(ok.out().strip()).orElseThrow().spec();
            assertThat(spec.infraRetries()).isEqualTo(1);
        }
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.errLines()).startsWith("drover: --infra-retries: -1 is out of range; use 0");
    }
}
