package dev.drover.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;

/** The drover command line run in this JVM, with what it printed. */
final class Cli {
    private Cli() {}

    record Run(int exit, String out, String err) {
        /** stderr without the test's own log lines. */
        String errLines() {
            return err.lines()
                    .filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                    .reduce("", (a, b) -> a + b + "\n");
        }
    }

    static synchronized Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = DroverCommand.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            int exit = cl.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A private in-memory store that lives until the JVM ends. */
    static String memoryStore() {
        return "jdbc:h2:mem:cli" + ThreadLocalRandom.current().nextInt(1 << 30)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
    }

    /** A kubeconfig with contexts a (current) and b, both on an apiserver that is not there. */
    static Path kubeconfig(Path dir) throws Exception {
        Path f = dir.resolve("kubeconfig");
        Files.writeString(f, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: one
                  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
                - name: two
                  cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: true}
                users:
                - name: me
                  user: {token: secret}
                contexts:
                - name: a
                  context: {cluster: one, user: me}
                - name: b
                  context: {cluster: two, user: me}
                current-context: a
                """);
        return f;
    }
}
