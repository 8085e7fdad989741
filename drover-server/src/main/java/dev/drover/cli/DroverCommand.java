package dev.drover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
            WorkerCommand.class
        })
public final class DroverCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an error, print its stack trace too.")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with the extra commands found on the class path (the dev tools) and Drover's
     * error handling: bad input and failures outside Drover print one line and exit 2.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DroverCommand());
        ExtraCommands.addTo(cl);
        summarize(cl);
        // after the subcommands are in: these settings apply to the commands present
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReport());
        return cl;
    }

    /**
     * Gives every subcommand without a header its description's first sentence as one: picocli's
     * command list shows a header, else only the first line of the description, which cut
     * multi-line descriptions mid-sentence.
     */
    private static void summarize(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            if (usage.header().length == 0 && usage.description().length > 0) {
                String text = String.join(" ", usage.description()).strip();
                int end = text.indexOf(". ");
                usage.header(end < 0 ? text : text.substring(0, end + 1));
            }
            summarize(sub);
        }
    }
}
