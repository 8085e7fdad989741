package dev.drover.cli;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover status | list | cancel | logs}: read and steer tasks in the store. */
final class TaskCommands {
    private TaskCommands() {}

    static Task require(TaskStore store, String id) {
        return store.get(id)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no task with id '" + id + "'; `drover list` shows the known ones"));
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "One task in detail, or counts by state.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ExecutorOptions exec = new ExecutorOptions();

        @Parameters(arity = "0..1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (TaskStore store = exec.openStore()) {
                if (id == null) {
                    Map<TaskState, Long> counts = store.countByState();
                    if (exec.output == OutputFormat.json) {
                        System.out.println(TaskView.toJson(counts));
                    } else {
                        counts.forEach((s, n) -> System.out.printf("%-12s %d%n", s, n));
                    }
                    return 0;
                }
                Task t = require(store, id);
                if (exec.output == OutputFormat.json) {
                    System.out.println(TaskView.toJson(TaskView.json(t, store.transitions(id))));
                } else {
                    System.out.println(TaskView.line(t));
                    store.transitions(id)
                            .forEach(tr -> System.out.printf(
                                    "  %s try %d %s -> %s  %s%n",
                                    tr.at(),
                                    tr.tryNumber(),
                                    tr.from() == null ? "-" : tr.from(),
                                    tr.to(),
                                    tr.reason() == null ? "" : tr.reason()));
                    if (t.failure() != null) {
                        t.failure().events().forEach(e -> System.out.println("  event: " + e));
                        t.failure().logTail().forEach(l -> System.out.println("  log: " + l));
                    }
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Tasks, newest first.")
    static final class ListTasks implements Callable<Integer> {
        @Mixin
        ExecutorOptions exec = new ExecutorOptions();

        @Option(names = "--state", split = ",", description = "Only these states, e.g. RUNNING,FAILED.")
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);

        @Option(names = "--limit", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit = 50;

        @Override
        public Integer call() {
            try (TaskStore store = exec.openStore()) {
                List<Task> tasks = store.list(states, limit);
                if (exec.output == OutputFormat.json) {
                    System.out.println(TaskView.toJson(
                            tasks.stream().map(t -> TaskView.json(t, null)).toList()));
                } else {
                    tasks.forEach(t -> System.out.println(TaskView.line(t)));
                }
                return 0;
            }
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancels a task; its scheduler deletes the pod.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ExecutorOptions exec = new ExecutorOptions();

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (TaskStore store = exec.openStore()) {
                require(store, id);
                boolean asked = store.requestCancel(id, java.time.Instant.now());
                if (exec.output == OutputFormat.json) {
                    System.out.println(TaskView.toJson(Map.of("id", id, "cancelRequested", asked)));
                } else {
                    System.out.println(asked ? "cancel requested for " + id : id + " has already ended");
                }
                return asked ? 0 : 1;
            }
        }
    }

    @Command(
            name = "logs",
            mixinStandardHelpOptions = true,
            description = "A task's container log, from the apiserver.")
    static final class Logs implements Callable<Integer> {
        @Mixin
        ExecutorOptions exec = new ExecutorOptions();

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing until the container ends.")
        boolean follow;

        @Option(
                names = {"-c", "--container"},
                description = "Container (default: ${DEFAULT-VALUE}).")
        String container = "main";

        @Option(names = "--tail", description = "Only the last N lines.")
        Integer tail;

        @Override
        public Integer call() throws Exception {
            Task t;
            try (TaskStore store = exec.openStore()) {
                t = require(store, id);
            }
            String pod = Optional.ofNullable(t.podName())
                    .orElseThrow(() ->
                            new IllegalArgumentException("task " + id + " has no pod yet (state " + t.state() + ")"));
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(exec.kube.config(true))
                    .build()) {
                var op = client.pods()
                        .inNamespace(t.spec().namespace())
                        .withName(pod)
                        .inContainer(container);
                if (follow) {
                    try (var w = (tail == null ? op : op.tailingLines(tail)).watchLog(System.out)) {
                        w.onClose().toCompletableFuture().join();
                    }
                } else {
                    System.out.print(
                            tail == null ? op.getLog() : op.tailingLines(tail).getLog());
                }
            }
            return 0;
        }
    }
}
