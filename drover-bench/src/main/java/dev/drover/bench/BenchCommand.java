package dev.drover.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code drover-bench}: our list-watch engine against its peers on a real kube-apiserver. */
@Command(
        name = "drover-bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks Drover's list-watch engine side by side with fabric8's and client-java's informers",
            "and a plain HTTP download, on a private test ground (etcd + kube-apiserver v1.20.2 on loopback).",
            "Tables go to stdout, progress to stderr."
        },
        subcommands = {
            ResyncCommand.class,
            WatchThroughputCommand.class,
            ChurnCommand.class,
            RenderCommand.class,
            ContenderCommand.class,
            ReplicaProcess.class,
            ReplicasCommand.class,
            ExecutorCommand.class,
            LogsCommand.class,
            SimBenchCommand.class,
            CliStartupBench.class,
            ServerBenchCommand.class
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new BenchCommand()).execute(args);
        System.exit(code);
    }
}
