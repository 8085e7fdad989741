package dev.drover.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run that bin/drover records its start-up cache from (a JDK 25 AOT cache, or an
 * AppCDS archive before): the quick commands — help, submit (one task and a file), list, status,
 * cancel, a bad-input error — on a throwaway H2 file store and kubeconfig, so that what they load
 * and link is in the cache. Prints nothing; exits 0.
 *
 * <p>{@code prepare DIR} (run first, unrecorded) creates the store's schema in DIR, and {@code DIR}
 * then trains on it: a command finds its schema current, so Flyway stays out of the cache, which
 * every command loads whole.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("prepare")) {
            StoreOptions schema = new StoreOptions();
            schema.store = storeUrl(Path.of(args[1]));
            schema.openStore().close();
            return;
        }
        Path dir = args.length == 1 ? Path.of(args[0]) : Files.createTempDirectory("drover-training");
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        int failures = 0;
        try {
            String store = storeUrl(dir);
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
            Path tasks = Files.writeString(dir.resolve("tasks.yaml"), TASKS);
            String[][] runs = {
                {"--help"},
                {"submit", "--store", store, "--kubeconfig", kubeconfig.toString(), "busybox:1.36", "--", "echo", "hi"},
                {
                    "submit",
                    "--store",
                    store,
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "--context",
                    "training",
                    "-e",
                    "A=1",
                    "--label",
                    "team=x",
                    "--request",
                    "cpu=100m",
                    "--pod-override",
                    "{spec: {}}",
                    "--startup-timeout",
                    "1m",
                    "busybox"
                },
                {"submit", "--store", store, "--kubeconfig", kubeconfig.toString(), "-f", tasks.toString(), "-o", "json"
                },
                {"list", "--store", store},
                {"list", "--store", store, "--state", "queued", "--limit", "1", "-o", "json"},
                {"status", "--store", store},
                {"status", "--store", store, "-o", "json"},
                {"submit", "--store", store, "--retries", "-1", "busybox"},
            };
            for (String[] run : runs) {
                failures += DroverCommand.commandLine().execute(run) == 0 ? 0 : 1;
            }
            String id =
                    printed.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("none");
            DroverCommand.commandLine().execute("status", id, "--store", store);
            DroverCommand.commandLine().execute("status", id, "--store", store, "-o", "json");
            DroverCommand.commandLine().execute("cancel", id, "--store", store);
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // the last submit fails on purpose (the error path); any other failure means a broken training
        System.exit(failures == 1 ? 0 : 1);
    }

    private static String storeUrl(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("drover");
    }

    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: training
              cluster: {server: "https://127.0.0.1:1"}
            users:
            - name: training
              user: {token: training}
            contexts:
            - name: training
              context: {cluster: training, user: training}
            current-context: training
            """;

    private static final String TASKS = """
            - name: one
              image: busybox:1.36
              command: [echo, one]
              env: {A: "1"}
              startupTimeout: 30s
              cleanup: never
            - image: busybox:1.36
              args: [echo, two]
              podOverride: {spec: {priorityClassName: low}}
            """;
}
