package dev.drover.devtools;

import dev.drover.core.CleanupPolicy;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.sim.NodeSimulator;
import java.time.Duration;
import java.util.List;

/** The demo's tasks: what each does on the simulated nodes, and how it should end. */
final class DemoSamples {
    private DemoSamples() {}

    /** A sample task; {@code behavior} is the simulator's script for its pod. */
    record Sample(String name, String behavior, List<String> command, int retries, TaskState expected) {
        TaskSpec spec(String namespace) {
            return TaskSpec.builder(name)
                    .namespace(namespace)
                    .image("registry.example/drover/" + name + ":1")
                    .command(command)
                    .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, behavior)
                    .retries(retries, Duration.ofSeconds(1))
                    .cleanup(CleanupPolicy.NEVER) // the pods stay to be looked at
                    .build();
        }

        /** Whether its container ever ran, so that it has a log to show. */
        boolean hasLog() {
            return !behavior.contains("pull-fail");
        }
    }

    static final List<Sample> ALL = List.of(
            new Sample(
                    "hello-ok",
                    "run=3s; log=starting|working on it|done",
                    List.of("echo", "hello"),
                    0,
                    TaskState.SUCCEEDED),
            new Sample("report-ok", "run=2s; log=report written", List.of("report", "--daily"), 0, TaskState.SUCCEEDED),
            new Sample(
                    "crunch-fails",
                    "run=2s; exit=3; log=loading data|error: input file missing",
                    List.of("crunch", "--input", "/data/in.csv"),
                    0,
                    TaskState.FAILED),
            new Sample(
                    "throttled-then-runs",
                    "pull-throttle=2; run=2s; log=pulled at last|ran fine",
                    List.of("train", "--epochs", "1"),
                    0,
                    TaskState.SUCCEEDED),
            new Sample("bad-image", "pull-fail", List.of("never-runs"), 0, TaskState.FAILED),
            new Sample("flaky-retried", "run=1s; exit=1; log=flaky failure", List.of("flaky"), 1, TaskState.FAILED));
}
