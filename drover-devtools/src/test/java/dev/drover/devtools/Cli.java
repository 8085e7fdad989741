package dev.drover.devtools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** The drover command line (with the dev tools, as on bin/drover's class path) run in this JVM. */
final class Cli {
    private Cli() {}

    record Run(int exit, String out, String err) {}

    static synchronized Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** {@code DroverCommand.commandLine()}, the same set-up main() uses (package-private there). */
    private static CommandLine commandLine() throws Exception {
        Method m = Class.forName("dev.drover.cli.DroverCommand").getDeclaredMethod("commandLine");
        m.setAccessible(true);
        return (CommandLine) m.invoke(null);
    }
}
