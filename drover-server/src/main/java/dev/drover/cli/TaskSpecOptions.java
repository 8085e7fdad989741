package dev.drover.cli;

import dev.drover.core.CleanupPolicy;
import dev.drover.core.InvalidTaskException;
import dev.drover.core.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The task, from the command line: {@code <image> [options] -- <command> [args...]}. */
final class TaskSpecOptions {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "IMAGE",
            description = "Container image, e.g. busybox:1.36 (may be left out when --pod-template has one).")
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

    @Option(names = "--pod-template", paramLabel = "FILE", description = "A Pod YAML file to start from.")
    Path podTemplate;

    @Option(
            names = "--pod-override",
            paramLabel = "FILE|YAML",
            description = "A YAML file, or inline YAML, merged onto the pod.")
    String podOverride;

    @Option(names = "--retries", description = "Extra tries after a failure (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(
            names = "--infra-retries",
            paramLabel = "N",
            description = "Tries the cluster may end (evicted, node lost, preempted, not admitted) that are tried"
                    + " again without using a retry (default: 3).")
    Integer infraRetries;

    @Option(
            names = "--retry-backoff",
            defaultValue = "10s",
            converter = Durations.Converter.class,
            description = "Wait before the first retry, doubling after (default: ${DEFAULT-VALUE}; 30s, 5m, PT1M…).")
    Duration retryBackoff;

    @Option(
            names = "--startup-timeout",
            defaultValue = "5m",
            converter = Durations.Converter.class,
            description = "How long the pod may stay Pending (default: ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    @Option(
            names = "--run-timeout",
            converter = Durations.Converter.class,
            description = "How long the pod may run (default: no limit).")
    Duration runTimeout;

    @Option(names = "--cleanup", description = "Delete the pod: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    CleanupPolicy cleanup = CleanupPolicy.DELETE_ON_SUCCESS;

    /** The task these options describe; a bad one fails naming its flag. */
    TaskSpec toSpec() {
        if (image == null && podTemplate == null) {
            throw new IllegalArgumentException(
                    "IMAGE: is required (e.g. drover submit busybox:1.36 -- echo hi), unless --pod-template has one");
        }
        String taskName = name != null ? name : image != null ? nameFromImage(image) : "task";
        TaskSpec.Builder b = TaskSpec.builder(taskName)
                .namespace(namespace)
                .image(image)
                .command(command)
                .retries(retries, retryBackoff)
                .startupTimeout(startupTimeout)
                .runTimeout(runTimeout)
                .cleanup(cleanup);
        if (infraRetries != null) {
            b.infraRetries(infraRetries);
        }
        env.forEach(b::env);
        labels.forEach(b::label);
        annotations.forEach(b::annotation);
        requests.forEach(b::request);
        limits.forEach(b::limit);
        if (podTemplate != null) {
            b.podTemplate(readFile("--pod-template", podTemplate.toString()));
        }
        if (podOverride != null) {
            b.podOverride(fileOrInline("--pod-override", podOverride));
        }
        try {
            return b.build();
        } catch (InvalidTaskException e) {
            throw TaskFlags.onCommandLine(e);
        }
    }

    /**
     * A value that names a file is read from it; one that only looks like a path (ends in .yaml,
     * .yml or .json, or starts with ./, ../, / or ~) but names no file is an error, not YAML.
     */
    static String fileOrInline(String flag, String value) {
        if (looksLikePath(value)) {
            return readFile(flag, value);
        }
        try {
            if (!value.contains("\n") && Files.isRegularFile(Path.of(value))) {
                return readFile(flag, value);
            }
        } catch (InvalidPathException notAPath) {
            // inline YAML
        }
        return value;
    }

    static boolean looksLikePath(String value) {
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        return !v.contains("\n")
                && (lower.endsWith(".yaml")
                        || lower.endsWith(".yml")
                        || lower.endsWith(".json")
                        || v.startsWith("./")
                        || v.startsWith("../")
                        || v.startsWith("/")
                        || v.startsWith("~"));
    }

    private static String readFile(String flag, String value) {
        Path p = value.equals("~") || value.startsWith("~/")
                ? Path.of(System.getProperty("user.home") + value.substring(1))
                : Path.of(value);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(flag + " " + value + ": no such file");
        }
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + value + ": cannot read it (" + e.getMessage() + ")", e);
        }
    }

    /** {@code registry.example/team/etl-job:1.2} → {@code etl-job}. */
    static String nameFromImage(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        int at = last.indexOf('@');
        int cut = colon >= 0 ? colon : at >= 0 ? at : last.length();
        String n = last.substring(0, cut).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        n = n.replaceAll("^-+|-+$", "");
        if (n.length() > 40) {
            n = n.substring(0, 40).replaceAll("-+$", "");
        }
        return n.isEmpty() ? "task" : n;
    }
}
