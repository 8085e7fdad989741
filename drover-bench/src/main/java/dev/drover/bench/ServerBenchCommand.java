package dev.drover.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = {
            "drover server's REST API and watch beside the same work in-process, on a private test ground:",
            "the submit rate (POST /api/v1/tasks, batch and single, against Drover.submitAll), read latencies",
            "with --tasks in the store (GET a task, list pages: filters, label selectors, a deep cursor) against",
            "TaskStore.get/query, and the watch's fan-out to --clients SSE clients while --run-tasks tasks run",
            "on simulated nodes. --smoke: 500 tasks, 10 clients, 50 run tasks."
        })
final class ServerBenchCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--tasks",
            defaultValue = "10000,100000",
            split = ",",
            description = "Store sizes for the read latencies, ascending (default ${DEFAULT-VALUE}).")
    List<Integer> tasks;

    @Option(
            names = "--submit-tasks",
            defaultValue = "10000",
            description = "Tasks each submit contender stores (default ${DEFAULT-VALUE}).")
    int submitTasks;

    @Option(
            names = "--submit-batch",
            defaultValue = "100",
            description = "Tasks per batch call and per batch POST (default ${DEFAULT-VALUE}).")
    int submitBatch;

    @Option(
            names = "--submit-clients",
            defaultValue = "16",
            description = "Concurrent submitting threads (virtual), the same for every contender (default"
                    + " ${DEFAULT-VALUE}).")
    int submitClients;

    @Option(
            names = "--gets",
            defaultValue = "2000",
            description = "Timed GETs of a task by id per size (default ${DEFAULT-VALUE}).")
    int gets;

    @Option(
            names = "--lists",
            defaultValue = "300",
            description = "Timed list pages per kind and size (default ${DEFAULT-VALUE}).")
    int lists;

    @Option(
            names = "--clients",
            defaultValue = "100",
            description = "Watchers (SSE clients) during the fan-out run (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--run-tasks",
            defaultValue = "1000",
            description = "Tasks run end to end during the fan-out (default ${DEFAULT-VALUE}).")
    int runTasks;

    @Option(
            names = "--run",
            defaultValue = "500ms",
            description = "How long each pod runs in the simulator (default ${DEFAULT-VALUE}).")
    String run;

    @Option(names = "--nodes", defaultValue = "10", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--store",
            defaultValue = "h2-file",
            description = "Store(s), comma-separated: h2-file (default), h2-mem, postgres (a PostgreSQL 15 of the"
                    + " run's own). Submit and reads run on each; the fan-out on the first.")
    String store;

    @Option(
            names = "--timeout-minutes",
            defaultValue = "10",
            description = "Give up on the fan-out's tasks after this long (default ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    ServerBench.Options options() {
        List<String> stores = List.of(store.split(",", -1));
        for (String kind : stores) {
            if (!ServerBench.STORES.contains(kind)) {
                throw new IllegalArgumentException("--store: '" + kind + "' is not one of " + ServerBench.STORES
                        + "; give one or several comma-separated, e.g. --store h2-file,postgres");
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) < 1 || (i > 0 && tasks.get(i) <= tasks.get(i - 1))) {
                throw new IllegalArgumentException(
                        "--tasks: sizes must be positive and ascending (the store grows), e.g. --tasks 10000,100000");
            }
        }
        positive("--submit-tasks", submitTasks);
        positive("--submit-batch", submitBatch);
        positive("--submit-clients", submitClients);
        positive("--gets", gets);
        positive("--lists", lists);
        positive("--clients", clients);
        positive("--run-tasks", runTasks);
        positive("--nodes", nodes);
        if (dev.drover.core.DurationText.parse(run) == null) {
            throw new IllegalArgumentException("--run: '" + run + "' is not a duration; e.g. 500ms, 1s");
        }
        boolean s = out.smoke;
        return new ServerBench.Options(
                s ? 500 : submitTasks,
                submitBatch,
                submitClients,
                s ? List.of(500) : List.copyOf(tasks),
                s ? 200 : gets,
                s ? 40 : lists,
                s ? 10 : clients,
                s ? 50 : runTasks,
                s ? "200ms" : run,
                s ? 3 : nodes,
                stores,
                (s ? 2 : timeoutMinutes) * 60,
                s);
    }

    private static void positive(String flag, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(flag + " must be at least 1 (got " + v + ")");
        }
    }

    ServerBench.Report bench(Progress progress) throws Exception {
        return new ServerBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        try {
            options(); // bad flags: picocli's usage error naming the flag, before anything starts
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ServerBench.Report r = bench(Progress.stderr());
        out.print(r, ServerTables.render(r));
        return ServerTables.allDelivered(r) ? 0 : 1;
    }
}
