package dev.drover.cli;

import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UnmatchedArgsBinding;

/**
 * Adds the {@link ExtraCommand}s on the class path; the dev tools' commands that are not there
 * stay known and say, in one line, what is missing.
 */
final class ExtraCommands {
    /** The dev tools' commands (drover-devtools.jar): the demo, the node simulator, the test ground. */
    static final List<String> DEV_TOOLS = List.of("demo", "testground", "sim");

    private ExtraCommands() {}

    static void addTo(CommandLine cl) {
        for (ExtraCommand c : ServiceLoader.load(ExtraCommand.class)) {
            cl.addSubcommand(c);
        }
        for (String name : DEV_TOOLS) {
            if (!cl.getSubcommands().containsKey(name)) {
                cl.addSubcommand(name, missing(name));
            }
        }
    }

    /** Stands in for a dev tool that is not on the class path: takes any arguments, says so, exit 2. */
    private static CommandLine missing(String name) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Runnable) () -> {
            throw new CliFailure(name + " is one of the dev tools, and drover-devtools.jar is not on the"
                    + " class path (bin/drover in a source checkout builds it and adds it)");
        });
        spec.name(name);
        spec.usageMessage().header("(a dev tool: needs drover-devtools.jar on the class path)");
        spec.addUnmatchedArgsBinding(UnmatchedArgsBinding.forStringArrayConsumer(new CommandLine.Model.ISetter() {
            @Override
            public <T> T set(T value) {
                return null;
            }
        }));
        spec.parser().unmatchedOptionsArePositionalParams(true);
        return new CommandLine(spec);
    }
}
