package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.InvalidTaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad task option is told by its flag, and a file that is not there is not read as YAML. */
class TaskFlagsTest {
    @TempDir
    Path dir;

    private final String store = Cli.memoryStore();

    private Cli.Run submit(String... rest) {
        List<String> args = new ArrayList<>(List.of("submit", "--store", store, "--cluster", "test-cluster"));
        args.addAll(List.of(rest));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aPodOverrideNamingAFileThatIsNotThereIsAnErrorAboutTheFile() {
        Cli.Run r = submit("--pod-override", "./missing.yaml", "busybox", "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).isEqualTo("drover: --pod-override ./missing.yaml: no such file\n");
    }

    @Test
    void aPodOverrideFileIsReadAndInlineYamlStillWorks() throws Exception {
        Path file = Files.writeString(dir.resolve("override.yaml"), "spec:\n  priorityClassName: low\n");

        Cli.Run fromFile = submit("--pod-override", file.toString(), "busybox");
        Cli.Run inline = submit("--pod-override", "{spec: {priorityClassName: low}}", "busybox");

        assertThat(fromFile.exit()).as(fromFile.err()).isZero();
        assertThat(inline.exit()).as(inline.err()).isZero();
    }

    @Test
    void aPodTemplateThatIsNotThereIsAnErrorAboutTheFile() {
        Cli.Run r = submit("--pod-template", "./template.yaml", "busybox");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).isEqualTo("drover: --pod-template ./template.yaml: no such file\n");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--name            | Bad_Name          | --name",
                "-n                | Bad_NS            | -n/--namespace",
                "--env             | 1x=y              | --env",
                "--label           | drover.dev/x=y    | --label",
                "--request         | memory=lots       | --request",
                "--limit           | cpu=lots          | --limit",
                "--pod-override    | '{spec: ['        | --pod-override",
                "--retries         | 500               | --retries",
                "--retry-backoff   | 0                 | --retry-backoff",
                "--startup-timeout | 0                 | --startup-timeout",
                "--run-timeout     | 0                 | --run-timeout",
            })
    void aBadValueIsToldByItsFlag(String option, String value, String flag) {
        Cli.Run r = submit(option, value, "busybox", "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).startsWith("drover: " + flag + ": ");
    }

    @Test
    void aBadImageIsToldAsTheImageArgument() {
        Cli.Run r = submit("busy box");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).startsWith("drover: IMAGE: ");
    }

    @Test
    void aTemplateThatIsNoPodIsToldByItsFlag() throws Exception {
        Path file = Files.writeString(dir.resolve("t.yaml"), "- not\n- a pod\n");

        Cli.Run r = submit("--pod-template", file.toString(), "busybox");

        assertThat(r.errLines()).startsWith("drover: --pod-template: ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "podOverride.spec.containers[0].envv | --pod-override: spec.containers[0].envv: unknown field",
                "podTemplate.spec                    | --pod-template: spec: unknown field",
                "podOverride                         | --pod-override: unknown field",
                "podTemplate                         | --pod-template: unknown field",
                "annotations                         | --annotation: unknown field",
                "cleanup                             | --cleanup: unknown field",
                "startupTimeout                      | --startup-timeout: unknown field",
                "namespace                           | -n/--namespace: unknown field",
                "image                               | IMAGE: unknown field",
                "somethingNew                        | somethingNew: unknown field",
            })
    void aFieldAndItsSubPathMapToTheFlag(String field, String message) {
        assertThat(TaskFlags.onCommandLine(new InvalidTaskException(field, "unknown field")))
                .hasMessage(message);
    }
}
