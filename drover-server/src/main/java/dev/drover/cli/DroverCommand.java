package dev.drover.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code drover} command line. Logs go to stderr (level via DROVER_LOG), results to stdout. */
@Command(
        name = "drover",
        mixinStandardHelpOptions = true,
        version = "drover 0.1.0",
        description = "Runs tasks as Kubernetes pods and tells you what happened.")
public final class DroverCommand implements Runnable {
    /** The built-in subcommands, in the order --help lists them; the extra ones (dev tools) follow. */
    static final List<Class<?>> COMMANDS = List.of(
            RunCommand.class,
            SubmitCommand.class,
            TaskCommands.Status.class,
            TaskCommands.ListTasks.class,
            TaskCommands.Cancel.class,
            TaskCommands.Logs.class,
            WorkerCommand.class,
            ServerCommand.class,
            ReplicasCommand.class,
            GcCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an error, print its stack trace too.")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command line: every subcommand. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}, with the extra commands found on the class path (the dev
     * tools) and Drover's error handling: bad input and failures outside Drover print one line and
     * exit 2. When {@code args} name a built-in subcommand, only that one is built: picocli reads
     * every command's annotations and fields when it is added, a good part of a short command's
     * start-up.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new DroverCommand());
        String named = subcommandOf(args);
        boolean justOne = COMMANDS.stream().anyMatch(c -> nameOf(c).equals(named));
        for (Class<?> c : COMMANDS) {
            if (!justOne || nameOf(c).equals(named)) {
                cl.addSubcommand(c);
            }
        }
        if (!justOne) {
            ExtraCommands.addTo(cl);
        }
        summarize(cl);
        // after the subcommands are in: these settings apply to the commands present
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReport());
        return cl;
    }

    private static String subcommandOf(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * Moves the first sentence of the description of every subcommand without a header into one:
     * picocli's command list shows a header, else only the first line of the description, which
     * cut multi-line descriptions mid-sentence.
     */
    private static void summarize(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            if (usage.header().length == 0 && usage.description().length > 0) {
                String text = String.join(" ", usage.description()).strip();
                int end = text.indexOf(". ");
                usage.header(end < 0 ? text : text.substring(0, end + 1));
                usage.description(end < 0 ? new String[0] : new String[] {text.substring(end + 2)});
            }
            summarize(sub);
        }
    }
}
