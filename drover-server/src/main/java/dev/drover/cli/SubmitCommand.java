package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.InvalidTaskException;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code drover submit}: queue tasks in the store; a {@code drover worker} runs them. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        header = "Queues a task (or a file of tasks) and prints its id.",
        description = {
            "Queues one task from the command line, or with -f FILE every task of a YAML or JSON list",
            "(all or none; fields as in drover-server/README.md). A `drover worker` runs them."
        })
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    TaskSpecOptions task = new TaskSpecOptions();

    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            description = "A YAML or JSON list of tasks to queue together, all or none (- reads stdin).")
    String file;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (server.given()) {
            return submitToServer();
        }
        if (file == null) {
            return submit(task, exec);
        }
        refuseTaskOptions();
        List<TaskSpec> specs = TaskSpecReader.readList(file, read(file));
        try {
            print(queue(specs, exec), exec);
        } catch (InvalidTaskException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * Through a Drover server: the tasks are read and checked here as for the store (a bad file or
     * flag fails the same way), then sent as one request; the server checks the rest (e.g. that the
     * namespace exists) and records its cluster.
     */
    private int submitToServer() throws IOException {
        ServerClient client = server.client(spec);
        RemoteTasks remote = new RemoteTasks(client, exec.output, System.out);
        if (file == null) {
            TaskSpec one = task.toSpec();
            String id = remote.submit(List.of(one), false).getFirst();
            if (exec.output == OutputFormat.json) {
                System.out.println(TaskView.toJson(TaskView.submitted(id, TaskState.QUEUED)));
            } else {
                System.out.println(id);
            }
            return 0;
        }
        refuseTaskOptions();
        List<TaskSpec> specs = TaskSpecReader.readList(file, read(file));
        List<String> ids = remote.submit(specs, true);
        if (exec.output == OutputFormat.json) {
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                out.add(TaskView.submitted(ids.get(i), specs.get(i).name(), TaskState.QUEUED));
            }
            System.out.println(TaskView.toJson(out));
        } else {
            ids.forEach(System.out::println);
        }
        return 0;
    }

    /**
     * Queues tasks through a Drover that only submits: the same checks as the Java API (the
     * namespace exists, where the cluster can tell), and each task records its cluster, so only a
     * worker of that cluster runs it.
     */
    private static List<Task> queue(List<TaskSpec> specs, ExecutorOptions options) {
        if (options.cluster != null && options.kube.resolve().isNone()) {
            return queueBlind(specs, options); // a cluster this machine does not reach
        }
        List<String> namespaces =
                specs.stream().map(TaskSpec::namespace).distinct().toList();
        KnownNamespaces known = new KnownNamespaces(options.clusterName());
        if (known.allKnown(namespaces)) {
            return queueBlind(specs, options); // seen to exist a moment ago: no need to ask again
        }
        try (TaskStore store = options.openStore();
                Drover client = options.drover(store).build()) {
            List<TaskHandle> handles = client.submitAll(specs);
            known.remember(namespaces);
            return handles.stream().map(h -> h.last()).toList();
        }
    }

    /** One task from {@code taskOptions} (also {@code drover run} without --wait). */
    int submit(TaskSpecOptions taskOptions, ExecutorOptions options) {
        TaskSpec taskSpec = taskOptions.toSpec();
        Task t;
        try {
            t = queue(List.of(taskSpec), options).getFirst();
        } catch (InvalidTaskException e) {
            throw TaskFlags.onCommandLine(e); // e.g. the namespace does not exist: names -n/--namespace
        }
        if (options.output == OutputFormat.json) {
            System.out.println(TaskView.toJson(TaskView.submitted(t.id(), t.state())));
        } else {
            System.out.println(t.id());
        }
        return 0;
    }

    /**
     * Queues without asking the cluster (for one this machine does not reach, or namespaces just
     * seen to exist): the same checks but the namespace's existence, all or none.
     */
    private static List<Task> queueBlind(List<TaskSpec> specs, ExecutorOptions options) {
        String cluster = options.clusterName();
        LinkedHashMap<String, TaskSpec> byId = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            try {
                specs.get(i).validate();
            } catch (InvalidTaskException e) {
                throw specs.size() == 1
                        ? e
                        : new InvalidTaskException(
                                "tasks[" + i + "]." + e.field(),
                                e.getMessage().substring(e.field().length() + 2));
            }
            byId.put(TaskIds.next(), specs.get(i));
        }
        try (TaskStore store = options.openStore()) {
            return store.insertAll(byId, cluster, Instant.now());
        }
    }

    private static void print(List<Task> tasks, ExecutorOptions options) {
        if (options.output == OutputFormat.json) {
            System.out.println(TaskView.toJson(tasks.stream()
                    .map(t -> TaskView.submitted(t.id(), t.spec().name(), t.state()))
                    .toList()));
        } else {
            tasks.forEach(t -> System.out.println(t.id()));
        }
    }

    /** Each task of a file has its own fields: the one-task options would silently lose. */
    private void refuseTaskOptions() {
        if (task.image != null || !task.command.isEmpty()) {
            throw new IllegalArgumentException(
                    "-f " + file + ": takes its tasks from the file; leave out IMAGE and COMMAND");
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.mixins().get("task").options()) {
            if (parsed.hasMatchedOption(o)) {
                throw new IllegalArgumentException("-f " + file + ": takes its tasks from the file; " + o.longestName()
                        + " belongs in each task there");
            }
        }
    }

    private static String read(String file) throws IOException {
        if (file.equals("-")) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("-f " + file + ": no such file");
        }
        return Files.readString(p);
    }
}
