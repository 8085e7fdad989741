package dev.drover.cli;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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

    @Command(name = "status", mixinStandardHelpOptions = true, header = "Shows one task in detail, or counts by state.")
    static final class Status implements Callable<Integer> {
        @Mixin
        StoreOptions opts = new StoreOptions();

        @Parameters(arity = "0..1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (TaskStore store = opts.openStore()) {
                if (id == null) {
                    Map<TaskState, Long> counts = store.countByState();
                    if (opts.output == OutputFormat.json) {
                        System.out.println(TaskView.toJson(counts));
                    } else {
                        counts.forEach((s, n) -> System.out.printf("%-12s %d%n", s, n));
                    }
                    return 0;
                }
                Task t = require(store, id);
                if (opts.output == OutputFormat.json) {
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

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            header = "Lists tasks, newest first.",
            description = "Says on stderr how many more match when --limit cut the list.")
    static final class ListTasks implements Callable<Integer> {
        @Mixin
        StoreOptions opts = new StoreOptions();

        @Option(
                names = "--state",
                split = ",",
                paramLabel = "STATE",
                description = "Only these states (any case), e.g. running,failed: ${COMPLETION-CANDIDATES}.")
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);

        @Option(names = "--limit", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit = 50;

        @Override
        public Integer call() {
            try (TaskStore store = opts.openStore()) {
                List<Task> tasks = store.list(states, limit);
                if (opts.output == OutputFormat.json) {
                    System.out.println(TaskView.toJson(
                            tasks.stream().map(t -> TaskView.json(t, null)).toList()));
                } else {
                    tasks.forEach(t -> System.out.println(TaskView.line(t)));
                }
                if (tasks.size() == limit) {
                    moreHint(store, tasks.size());
                }
                return 0;
            }
        }

        private void moreHint(TaskStore store, int shown) {
            long total = store.countByState().entrySet().stream()
                    .filter(e -> states.isEmpty() || states.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            if (total > shown) {
                System.out.flush();
                System.err.printf(
                        "(%d more%s; --limit %d shows all %d)%n",
                        total - shown, states.isEmpty() ? "" : " in " + states, total, total);
            }
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            header = "Cancels a task; its scheduler deletes the pod.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        StoreOptions opts = new StoreOptions();

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (TaskStore store = opts.openStore()) {
                require(store, id);
                boolean asked = store.requestCancel(id, Instant.now());
                if (opts.output == OutputFormat.json) {
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
            header = "Prints a task's container log: from the archive once its try ended, else from its pod.",
            description = "The same output either way. -f follows a running pod (resuming after a dropped"
                    + " connection, without losing or repeating a line) until the container ends.")
    static final class Logs implements Callable<Integer> {
        @Mixin
        StoreOptions opts = new StoreOptions();

        @Mixin
        KubeOptions kube = new KubeOptions();

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing until the container ends.")
        boolean follow;

        @Option(
                names = {"-c", "--container"},
                description = "Container (default: main, else the pod's only container).")
        String container;

        @Option(names = "--try", paramLabel = "N", description = "Which try (default: the latest).")
        Integer tryNumber;

        @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines.")
        Integer tail;

        @Option(
                names = "--log-dir",
                description = "Read archived logs from this directory (as the worker's --log-dir wrote them).")
        java.nio.file.Path logDir;

        @Override
        public Integer call() throws Exception {
            if (tryNumber != null && tryNumber < 1) {
                throw new IllegalArgumentException("--try must be 1 or more (got " + tryNumber + ")");
            }
            if (tail != null && tail < 0) {
                throw new IllegalArgumentException("--tail must not be negative (got " + tail + ")");
            }
            try (TaskStore store = opts.openStore()) {
                require(store, id);
                LiveLogs.print(store, logDir, kube, id, tryNumber, container, tail, follow, System.out);
            }
            return 0;
        }
    }
}
