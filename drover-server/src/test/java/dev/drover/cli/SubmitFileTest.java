package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.core.CleanupPolicy;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** drover submit -f FILE: many tasks from one YAML or JSON list, all or none. */
class SubmitFileTest {
    @TempDir
    Path dir;

    private final String store = Cli.memoryStore();

    private TaskSpec stored(String id) {
        try (TaskStore s = TaskStores.fromUrl(store)) {
            return s.get(id).orElseThrow().spec();
        }
    }

    @Test
    void everyTaskOfAYamlListIsQueuedWithItsFields() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), """
                - name: extract
                  namespace: etl
                  image: registry.example/etl:2
                  command: [extract, --day, "2030-01-01"]
                  env: {MODE: full, LEVEL: 3}
                  requests: {cpu: 500m}
                  retries: 2
                  infraRetries: 1
                  retryBackoff: 5s
                  startupTimeout: PT30S
                  runTimeout: 1h30m
                  cleanup: never
                  podOverride:
                    spec: {priorityClassName: low}
                - image: busybox:1.36
                  args: [echo, hi]
                """);

        Cli.Run r = Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> ids = r.out().lines().toList();
        assertThat(ids).hasSize(2);
        TaskSpec extract = stored(ids.get(0));
        assertThat(extract.name()).isEqualTo("extract");
        assertThat(extract.namespace()).isEqualTo("etl");
        assertThat(extract.command()).containsExactly("extract", "--day", "2030-01-01");
        assertThat(extract.env()).containsExactly(Map.entry("MODE", "full"), Map.entry("LEVEL", "3"));
        assertThat(extract.requests()).containsExactly(Map.entry("cpu", "500m"));
        assertThat(extract.retries()).isEqualTo(2);
        assertThat(extract.infraRetries()).isEqualTo(1);
        assertThat(extract.retryBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(extract.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(extract.runTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(extract.cleanup()).isEqualTo(CleanupPolicy.NEVER);
        assertThat(extract.podOverride()).contains("priorityClassName");
        TaskSpec second = stored(ids.get(1));
        assertThat(second.name()).isEqualTo("busybox");
        assertThat(second.infraRetries()).as("the default budget").isEqualTo(3);
        try (TaskStore s = TaskStores.fromUrl(store)) {
            assertThat(s.get(ids.get(0)).orElseThrow().cluster())
                    .as("queued for the cluster named, which only its workers claim")
                    .isEqualTo("test-cluster");
        }
        assertThat(second.args()).containsExactly("echo", "hi");
    }

    @Test
    void aJsonListWorksTooAndPrintsJsonWhenAsked() throws Exception {
        Path file = Files.writeString(
                dir.resolve("tasks.json"),
                "[{\"name\": \"one\", \"image\": \"busybox\"}, {\"name\": \"two\", \"image\": \"busybox\"}]");

        Cli.Run r =
                Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString(), "-o", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode printed = new ObjectMapper().readTree(r.out());
        assertThat(printed).hasSize(2);
        assertThat(printed.get(1).get("name").asText()).isEqualTo("two");
        assertThat(printed.get(1).get("state").asText()).isEqualTo("QUEUED");
        assertThat(stored(printed.get(0).get("id").asText()).name()).isEqualTo("one");
    }

    @Test
    void aBadValueIsNamedByFileAndPlaceAndNothingIsQueued() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), """
                - image: busybox
                - image: busybox
                  startupTimeout: 5 minutes
                """);

        Cli.Run r = Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .isEqualTo("drover: " + file + ": tasks[1].startupTimeout: '5 minutes' is not a duration;"
                        + " write e.g. 30s, 5m, 1h30m or PT30S\n");
        assertThat(Cli.run("list", "--store", store).out()).isEmpty();
    }

    @Test
    void anUnknownFieldIsAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), "- imagee: busybox\n");

        Cli.Run r = Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).startsWith("drover: " + file + ": tasks[0].imagee: unknown field; a task has name,");
    }

    @Test
    void whatTheCoreRefusesIsNamedByPlaceToo() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), """
                - image: busybox
                - image: busybox
                - image: busybox
                  requests: {memory: lots}
                """);

        Cli.Run r = Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString());

        assertThat(r.errLines()).startsWith("drover: " + file + ": tasks[2].requests: 'memory=lots'");
        assertThat(Cli.run("list", "--store", store).out()).isEmpty();
    }

    @Test
    void aFileAndTaskOptionsDoNotMix() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), "- image: busybox\n");

        Cli.Run image =
                Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString(), "busybox");
        Cli.Run option = Cli.run(
                "submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString(), "--retries", "2");

        assertThat(image.errLines()).contains("leave out IMAGE and COMMAND");
        assertThat(option.errLines()).contains("--retries belongs in each task there");
    }

    @Test
    void notAListIsAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("tasks.yaml"), "image: busybox\n");

        Cli.Run r = Cli.run("submit", "--store", store, "--cluster", "test-cluster", "-f", file.toString());

        assertThat(r.errLines()).startsWith("drover: " + file + ": must be a list of tasks");
    }
}
