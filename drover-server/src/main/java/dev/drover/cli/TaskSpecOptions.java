package dev.drover.cli;

import dev.drover.core.CleanupPolicy;
import dev.drover.core.InvalidTaskException;
import dev.drover.core.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The task, from the command line: {@code <image> [options] -- <command> [args...]}. */
final class TaskSpecOptions {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "Container image, e.g. busybox:1.36.")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Option(names = "--name", description = "Task name, part of the pod name (default: from the image).")
    String name;

    @Option(
            names = {"-n", "--namespace"},
            description = "Namespace (default: ${DEFAULT-VALUE}).")
    String namespace = "default";

    @Option(
            names = {"-e", "--env"},
            description = "Environment variable NAME=VALUE (repeatable).")
    Map<String, String> env = Map.of();

    @Option(names = "--label", description = "Pod label KEY=VALUE (repeatable).")
    Map<String, String> labels = Map.of();

    @Option(names = "--annotation", description = "Pod annotation KEY=VALUE (repeatable).")
    Map<String, String> annotations = Map.of();

    @Option(names = "--request", description = "Resource request, e.g. cpu=500m (repeatable).")
    Map<String, String> requests = Map.of();

    @Option(names = "--limit", description = "Resource limit, e.g. memory=1Gi (repeatable).")
    Map<String, String> limits = Map.of();

    @Option(names = "--pod-template", description = "A Pod YAML file to start from.")
    Path podTemplate;

    @Option(names = "--pod-override", description = "A YAML file (or inline YAML) merged onto the pod.")
    String podOverride;

    @Option(names = "--retries", description = "Extra tries after a failure (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(
            names = "--retry-backoff",
            description = "Seconds before the first retry, doubling after (default: ${DEFAULT-VALUE}).")
    long retryBackoffSeconds = 10;

    @Option(names = "--startup-timeout", description = "Seconds the pod may stay Pending (default: ${DEFAULT-VALUE}).")
    long startupTimeoutSeconds = 300;

    @Option(names = "--run-timeout", description = "Seconds the pod may run (default: no limit).")
    Long runTimeoutSeconds;

    @Option(names = "--cleanup", description = "Delete the pod: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    CleanupPolicy cleanup = CleanupPolicy.DELETE_ON_SUCCESS;

    TaskSpec toSpec() {
        String taskName = name != null ? name : nameFromImage(image);
        TaskSpec.Builder b = TaskSpec.builder(taskName)
                .namespace(namespace)
                .image(image)
                .command(command)
                .retries(retries, Duration.ofSeconds(Math.max(1, retryBackoffSeconds)))
                .startupTimeout(Duration.ofSeconds(startupTimeoutSeconds))
                .cleanup(cleanup);
        env.forEach(b::env);
        labels.forEach(b::label);
        annotations.forEach(b::annotation);
        requests.forEach(b::request);
        limits.forEach(b::limit);
        if (runTimeoutSeconds != null) {
            b.runTimeout(Duration.ofSeconds(runTimeoutSeconds));
        }
        if (podTemplate != null) {
            b.podTemplate(read("--pod-template", podTemplate));
        }
        if (podOverride != null) {
            Path p = Path.of(podOverride);
            b.podOverride(Files.isRegularFile(p) ? read("--pod-override", p) : podOverride);
        }
        return b.build();
    }

    private static String read(String option, Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new InvalidTaskException(option, "cannot read " + p + ": " + e.getMessage());
        }
    }

    /** {@code registry.example/team/etl-job:1.2} → {@code etl-job}. */
    static String nameFromImage(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        int at = last.indexOf('@');
        int cut = colon >= 0 ? colon : at >= 0 ? at : last.length();
        String n = last.substring(0, cut).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        n = n.replaceAll("^-+|-+$", "");
        if (n.length() > 40) {
            n = n.substring(0, 40).replaceAll("-+$", "");
        }
        return n.isEmpty() ? "task" : n;
    }
}
