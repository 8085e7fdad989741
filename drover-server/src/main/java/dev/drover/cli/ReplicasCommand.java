package dev.drover.cli;

import dev.drover.core.Replica;
import dev.drover.core.store.TaskStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover replicas}: the schedulers sharing the store, and whether each is alive. */
@Command(
        name = "replicas",
        mixinStandardHelpOptions = true,
        header = "Lists the replicas (workers) of the store: id, host, state, heartbeat age, tasks in flight.")
final class ReplicasCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options = new StoreOptions();

    @Option(
            names = "--alive-threshold",
            converter = Durations.Converter.class,
            description = "A replica with an older heartbeat is shown as not alive (default: 30s, as the workers'"
                    + " default).")
    Duration aliveThreshold = Duration.ofSeconds(30);

    @Override
    public Integer call() {
        List<Replica> all;
        try (TaskStore store = options.openStore()) {
            all = store.replicas(aliveThreshold);
        }
        if (options.output == OutputFormat.json) {
            System.out.println(
                    TaskView.toJson(all.stream().map(ReplicasCommand::json).toList()));
            return 0;
        }
        System.out.printf("%-40s %-24s %-9s %-6s %10s %9s%n", "ID", "HOST", "STATE", "ALIVE", "HEARTBEAT", "IN FLIGHT");
        for (Replica r : all) {
            System.out.printf(
                    "%-40s %-24s %-9s %-6s %9ss %9d%n",
                    r.id(),
                    r.host(),
                    r.state(),
                    r.alive() ? "yes" : "no",
                    r.heartbeatAge().toSeconds(),
                    r.inFlight());
        }
        return 0;
    }

    private static Map<String, Object> json(Replica r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("host", r.host());
        m.put("version", r.version());
        m.put("state", r.state());
        m.put("alive", r.alive());
        m.put("heartbeatAgeSeconds", r.heartbeatAge().toMillis() / 1000.0);
        m.put("inFlight", r.inFlight());
        m.put("startedAt", r.startedAt());
        m.put("heartbeatAt", r.heartbeatAt());
        return m;
    }
}
