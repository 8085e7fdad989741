package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.testkit.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded drover.jar as a user runs it ({@code java -jar}, its own logging setup): it holds no
 * simulator and no test kit, its commands work from it alone, and failures outside Drover are one
 * line each.
 */
class CliJarIT {
    private static final Path JAR = Path.of(System.getProperty("drover.jar", "target/drover.jar"));
    private static final Pattern DEV_TOOLS = Pattern.compile("dev[/.]drover[/.](sim|testkit)[/.]");

    @TempDir
    Path home;

    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private Run drover(String... args) throws Exception {
        return drover(List.of(), args);
    }

    private Run drover(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Duser.home=" + home));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("KUBECONFIG");
        pb.environment().remove("DROVER_STORE");
        pb.environment().remove("DROVER_LOG");
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("drover " + args[0] + " did not end in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private String fileStore() {
        return "jdbc:h2:file:" + home.resolve("store/drover");
    }

    // --- what the jar holds

    @Test
    void theJarHoldsNoSimulatorAndNoTestKit() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.stream().map(JarEntry::getName))
                    .isNotEmpty()
                    .noneMatch(n -> n.contains("dev/drover/sim/") || n.contains("dev/drover/testkit/"));
        }
    }

    @Test
    void noClassOrServiceInTheJarRefersToTheSimulatorOrTheTestKit() throws IOException {
        List<String> references = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().forEach(e -> {
                try (InputStream in = jar.getInputStream(e)) {
                    if (e.getName().endsWith(".class")) {
                        for (String c : ClassReferences.utf8Constants(in)) {
                            if (DEV_TOOLS.matcher(c).find()) {
                                references.add(e.getName() + " -> " + c);
                            }
                        }
                    } else if (e.getName().startsWith("META-INF/services/")) {
                        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        if (DEV_TOOLS.matcher(text).find()) {
                            references.add(e.getName());
                        }
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(e.getName(), ex);
                }
            });
        }
        assertThat(references).isEmpty();
    }

    // --- the CLI from the jar alone

    @Test
    void theCliCommandsWorkFromTheJarAlone() throws Exception {
        Run help = drover("--help");
        Run submitted =
                drover("submit", "--store", fileStore(), "--cluster", "jar-test", "busybox:1.36", "--", "echo", "hi");
        String id = submitted.out().strip();
        Run list = drover("list", "--store", fileStore());
        Run status = drover("status", "--store", fileStore());
        Run one = drover("status", id, "--store", fileStore(), "-o", "json");
        Run cancel = drover("cancel", id, "--store", fileStore());

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("submit").contains("worker");
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        assertThat(list.out()).contains(id).contains("QUEUED");
        assertThat(status.out()).contains("QUEUED       1");
        assertThat(one.out()).contains("\"id\" : \"" + id + "\"");
        assertThat(cancel.out()).isEqualTo("cancel requested for " + id + "\n");
        for (Run r : List.of(help, submitted, list, status, one, cancel)) {
            assertThat(r.err()).isEmpty();
        }
    }

    /**
     * {@code --server}: the jar's {@code drover server} (read-only, on the store a submit filled) and
     * the jar's {@code list} against it, as on a machine without the database: the same lines, and
     * neither the store's nor the Kubernetes client's classes loaded.
     */
    @Test
    void listAgainstADroverServerPrintsTheStoresLinesAndLoadsNoStoreOrKubernetesClient() throws Exception {
        String token = "jar-read-token-0123456789";
        Path tokens = Files.writeString(home.resolve("tokens"), token + ",rita,read\n");
        Run submitted =
                drover("submit", "--store", fileStore(), "--cluster", "jar-test", "busybox:1.36", "--", "echo", "hi");
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        Run local = drover("list", "--store", fileStore());

        Path out = home.resolve("server.out");
        Process server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Duser.home=" + home,
                        "-jar",
                        JAR.toString(),
                        "server",
                        "--read-only",
                        "--store",
                        fileStore(),
                        "--kubeconfig",
                        Cli.kubeconfig(home).toString(), // a read-only server never calls the apiserver
                        "--token-file",
                        tokens.toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0")
                .redirectOutput(out.toFile())
                .redirectError(home.resolve("server.err").toFile())
                .start();
        try {
            Pattern serving = Pattern.compile("serving on (http://\\S+)");
            String[] url = new String[1];
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(90))
                    .until(() -> {
                        java.util.regex.Matcher m = serving.matcher(Files.readString(out));
                        if (m.find()) {
                            url[0] = m.group(1);
                        }
                        return url[0] != null || !server.isAlive();
                    });
            assertThat(url[0]).as(Files.readString(home.resolve("server.err"))).isNotNull();
            Path classes = home.resolve("classes.txt");
            Run remote = drover(
                    List.of("-Xlog:class+load=info:file=" + classes), "list", "--server", url[0], "--token", token);
            Run wrongToken = drover("list", "--server", url[0], "--token", "not-the-token");

            assertThat(remote.exit()).as(remote.err()).isZero();
            assertThat(remote.out())
                    .isEqualTo(local.out())
                    .contains(submitted.out().strip());
            assertThat(remote.err()).isEmpty();
            assertThat(Files.readAllLines(classes))
                    .as("classes loaded by list --server")
                    .isNotEmpty()
                    .noneMatch(l -> l.contains("io.fabric8.")
                            || l.contains("org.h2.")
                            || l.contains("org.jdbi.")
                            || l.contains("org.flywaydb.")
                            || l.contains("dev.drover.server.")
                            || l.contains("dev.drover.kube."));
            assertThat(wrongToken.exit()).isEqualTo(2);
            assertThat(wrongToken.errLines())
                    .containsExactly("drover: server " + url[0] + ": the bearer token is not known; the token of"
                            + " --token is not one the server takes; ask its admin for one");
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStartUpCacheTheJvmCannotUseIsSkippedWithoutAWord() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "AOT caches: JDK 25");
        Path garbage = Files.writeString(home.resolve("drover.aot"), "not an AOT cache");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home,
                // what bin/drover adds for a short command
                "-XX:AOTCache=" + garbage,
                "-Xlog:aot*=off",
                "-Xlog:cds*=off",
                "-cp",
                JAR.toString(),
                "dev.drover.cli.DroverCommand",
                "status",
                "--store",
                fileStore());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor()).isZero();
        assertThat(printed).startsWith("QUEUED       0");
    }

    @Test
    void aDevToolWithoutTheDevToolsSaysWhatIsMissingInOneLine() throws Exception {
        for (String tool : List.of("demo", "sim", "testground")) {
            Run r = drover(tool, "start", "--nodes", "2");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.errLines())
                    .containsExactly("drover: " + tool + " is one of the dev tools, and drover-devtools.jar is not on"
                            + " the class path (bin/drover in a source checkout builds it and adds it)");
        }
    }

    // --- failures outside Drover: one line, exit 2; --debug adds the trace

    @Test
    void anUnreachableStoreIsOneLineWithoutThePassword() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:1/drover?user=drover&password=secret";

        Run r = drover("list", "--store", url);
        Run debug = drover("list", "--store", url, "--debug");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err())
                .startsWith("drover: task store jdbc:postgresql://127.0.0.1:1/drover?user=drover&password=***: ")
                .contains("refused")
                .doesNotContain("secret");
        assertThat(debug.exit()).isEqualTo(2);
        assertThat(debug.err()).startsWith(r.err()).contains("\tat ");
    }

    @Test
    void aMissingPostgresDatabaseIsOneLine() throws Exception {
        String url = PostgresServer.shared().jdbcUrl("no_such_db");

        Run r = drover("status", "--store", url);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .containsExactly("drover: task store " + url + ": FATAL: database \"no_such_db\" does not exist");
    }

    @Test
    void aMissingH2DatabaseIsOneLine() throws Exception {
        String url = "jdbc:h2:file:" + home.resolve("nope") + ";IFEXISTS=TRUE";

        Run r = drover("list", "--store", url);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err())
                .startsWith("drover: task store " + url + ": Database")
                .contains("not found");
    }

    @Test
    void anUnreadableKubeconfigIsOneLine() throws Exception {
        Path bad = Files.writeString(home.resolve("kubeconfig"), "clusters: [unclosed\n  - {");

        Run directory = drover("submit", "--store", fileStore(), "--kubeconfig", home.toString(), "busybox");
        Run notYaml = drover("submit", "--store", fileStore(), "--kubeconfig", bad.toString(), "busybox");

        assertThat(directory.exit()).isEqualTo(2);
        assertThat(directory.errLines()).containsExactly("drover: --kubeconfig " + home + ": not a readable file");
        assertThat(notYaml.exit()).isEqualTo(2);
        assertThat(notYaml.errLines()).hasSize(1);
        assertThat(notYaml.err()).startsWith("drover: --kubeconfig " + bad + ": cannot read it as a kubeconfig: ");
    }

    @Test
    void anUnreachableApiServerIsOneLine() throws Exception {
        Path kubeconfig = Cli.kubeconfig(home); // its server, 127.0.0.1:1, does not answer
        try (TaskStore store = TaskStores.h2(home.resolve("store/drover"))) {
            store.insert("task-1", TaskSpec.builder("t").image("busybox").build(), Instant.now());
            store.claim("someone", 1, Instant.now().plusSeconds(1)); // now it has a pod name
        }

        Run r = drover("logs", "task-1", "--store", fileStore(), "--kubeconfig", kubeconfig.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .startsWith("drover: apiserver https://127.0.0.1:1/: log of task task-1")
                .endsWith(": cannot connect");
    }
}
