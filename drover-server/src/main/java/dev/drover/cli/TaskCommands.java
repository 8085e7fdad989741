package dev.drover.cli;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskPage;
import dev.drover.core.store.TaskQuery;
import dev.drover.core.store.TaskStore;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drover status | list | cancel | logs}: read and steer tasks in the store, or (with
 * {@code --server}) through a Drover server's REST API ({@link RemoteTasks}).
 */
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

        @Mixin
        ServerOptions server = new ServerOptions();

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            if (server.given()) {
                RemoteTasks remote = new RemoteTasks(server.client(spec), opts.output, System.out);
                return id == null ? remote.counts() : remote.status(id);
            }
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
                    TaskView.detail(TaskView.Facts.of(t), store.transitions(id)).forEach(System.out::println);
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

        @Option(
                names = {"-l", "--selector"},
                paramLabel = "SELECTOR",
                description = "Only tasks whose labels match this label selector, e.g. team=etl,tier in (a,b).")
        String selector;

        @Option(names = "--limit", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit = 50;

        @Mixin
        ServerOptions server = new ServerOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be 1 or more (got " + limit + ")");
            }
            if (server.given()) {
                return new RemoteTasks(server.client(spec), opts.output, System.out).list(states, selector, limit);
            }
            if (selector != null && !selector.isBlank()) {
                return listSelected();
            }
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

        /** With a label selector: the store's query, page by page up to --limit. */
        private int listSelected() {
            List<Task> tasks = new java.util.ArrayList<>();
            String cursor = null;
            try (TaskStore store = opts.openStore()) {
                TaskQuery q;
                try {
                    q = TaskQuery.all().withStates(states).withLabelSelector(selector);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--selector " + selector + ": " + e.getMessage(), e);
                }
                do {
                    TaskPage page = store.query(q.withLimit(Math.min(TaskQuery.MAX_LIMIT, limit - tasks.size()))
                            .withCursor(cursor));
                    tasks.addAll(page.tasks());
                    cursor = page.nextCursor();
                } while (cursor != null && tasks.size() < limit);
            }
            if (opts.output == OutputFormat.json) {
                System.out.println(TaskView.toJson(
                        tasks.stream().map(t -> TaskView.json(t, null)).toList()));
            } else {
                tasks.forEach(t -> System.out.println(TaskView.line(t)));
            }
            if (cursor != null) {
                System.out.flush();
                System.err.printf("(more match; a larger --limit shows them)%n");
            }
            return 0;
        }

        private void moreHint(TaskStore store, int shown) {
            long total = store.countByState().entrySet().stream()
                    .filter(e -> states.isEmpty() || states.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            printMore(states, total, shown);
        }

        /** {@code (3 more in [RUNNING]; --limit 53 shows all 53)} on stderr, when there are more. */
        static void printMore(Set<TaskState> states, long total, int shown) {
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

        @Mixin
        ServerOptions server = new ServerOptions();

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            if (server.given()) {
                return new RemoteTasks(server.client(spec), opts.output, System.out).cancel(id);
            }
            try (TaskStore store = opts.openStore()) {
                require(store, id);
                boolean asked = store.requestCancel(id, Instant.now());
                if (opts.output == OutputFormat.json) {
                    System.out.println(TaskView.toJson(TaskView.cancelled(id, asked)));
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

        @Mixin
        ServerOptions server = new ServerOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (tryNumber != null && tryNumber < 1) {
                throw new IllegalArgumentException("--try must be 1 or more (got " + tryNumber + ")");
            }
            if (tail != null && tail < 0) {
                throw new IllegalArgumentException("--tail must not be negative (got " + tail + ")");
            }
            if (server.given()) {
                return new RemoteTasks(server.client(spec), opts.output, System.out)
                        .logs(id, tryNumber, container, tail, follow);
            }
            try (TaskStore store = opts.openStore()) {
                require(store, id);
                LiveLogs.print(store, logDir, kube, id, tryNumber, container, tail, follow, System.out);
            }
            return 0;
        }
    }
}
