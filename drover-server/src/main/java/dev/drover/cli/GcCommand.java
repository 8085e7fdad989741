package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.kube.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover gc}: drops Drover's finalizer from pods nobody will record any more. */
@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        header = "Drops Drover's finalizer from pods whose task ended or is not in the store.",
        description = "Pods of tasks in flight are left to their worker. The workers do this for the pods they"
                + " watch; gc is for the rest (a store that lost tasks, a worker that never came back).")
final class GcCommand implements Callable<Integer> {
    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Option(
            names = {"-n", "--namespace"},
            split = ",",
            description =
                    "Only these namespaces (default: all, which needs permission to list pods in all" + " namespaces).")
    List<String> namespaces = List.of();

    @Override
    public Integer call() {
        Drover.FinalizerReport r;
        try (TaskStore store = exec.openStore();
                Drover drover = exec.drover(store).build()) {
            r = drover.releaseFinalizers(namespaces);
        } catch (ApiException e) {
            throw new CliFailure(
                    "apiserver: listing pods" + (namespaces.isEmpty() ? " in all namespaces (give -n NS)" : ""), e);
        }
        if (exec.output == OutputFormat.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("held", r.held());
            m.put("released", r.released());
            m.put("kept", r.kept());
            System.out.println(TaskView.toJson(m));
        } else {
            r.released().forEach(p -> System.out.println("released " + p));
            System.out.println(r.held() + " pod(s) held by Drover's finalizer; "
                    + r.released().size() + " released, " + r.kept().size()
                    + " left to their workers (tasks in flight)");
        }
        return 0;
    }
}
