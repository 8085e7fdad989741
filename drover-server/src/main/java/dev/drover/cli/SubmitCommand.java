package dev.drover.cli;

import dev.drover.core.Task;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code drover submit}: queue a task in the store; a {@code drover worker} runs it. */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Queues a task and prints its id.")
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    TaskSpecOptions task = new TaskSpecOptions();

    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Override
    public Integer call() {
        return submit(task, exec);
    }

    int submit(TaskSpecOptions taskOptions, ExecutorOptions options) {
        TaskSpec spec = taskOptions.toSpec();
        try (TaskStore store = options.openStore()) {
            Task t = store.insert(TaskIds.next(), spec, Instant.now());
            if (options.output == OutputFormat.json) {
                System.out.println(TaskView.toJson(Map.of("id", t.id(), "state", t.state())));
            } else {
                System.out.println(t.id());
            }
        }
        return 0;
    }
}
