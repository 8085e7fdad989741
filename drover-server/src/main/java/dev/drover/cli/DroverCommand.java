package dev.drover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code drover} command line. Logs go to stderr (level via DROVER_LOG), results to stdout. */
@Command(
        name = "drover",
        mixinStandardHelpOptions = true,
        version = "drover 0.1.0",
        description = "Runs tasks as Kubernetes pods and tells you what happened.",
        subcommands = {
            RunCommand.class,
            SubmitCommand.class,
            TaskCommands.Status.class,
            TaskCommands.ListTasks.class,
            TaskCommands.Cancel.class,
            TaskCommands.Logs.class,
            WorkerCommand.class,
            DemoCommand.class,
            TestGroundCommand.class,
            SimCommand.class
        })
public final class DroverCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Drover's error handling: bad input prints one clear line and exits 2. */
    static CommandLine commandLine() {
        return new CommandLine(new DroverCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("drover: " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }
}
