package dev.drover.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints the tables of a report saved with --save-json again (e.g. after the tables changed). */
@Command(name = "render", mixinStandardHelpOptions = true, description = "Prints the tables of a saved JSON report.")
final class RenderCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "resync, watch-throughput, churn, executor, replicas, logs or server")
    String kind;

    @Option(names = "--from", required = true, description = "The file written by --save-json.")
    Path from;

    @Override
    public Integer call() throws Exception {
        var json = OutputOptions.JSON;
        String table = switch (kind) {
            case "resync" -> ResyncTables.render(json.readValue(from.toFile(), ResyncBench.Report.class));
            case "watch-throughput" ->
                WatchThroughputTables.render(json.readValue(from.toFile(), WatchThroughputBench.Report.class));
            case "churn" -> ChurnTables.render(json.readValue(from.toFile(), ChurnBench.Report.class));
            case "executor" -> ExecutorTables.render(json.readValue(from.toFile(), ExecutorReport.class));
            case "replicas" -> ReplicasTables.render(json.readValue(from.toFile(), ReplicasReport.class));
            case "logs" -> LogsTables.render(json.readValue(from.toFile(), LogsBench.Report.class));
            case "server" -> ServerTables.render(json.readValue(from.toFile(), ServerBench.Report.class));
            default -> throw new IllegalArgumentException("unknown report kind " + kind);
        };
        System.out.print(table);
        return 0;
    }
}
