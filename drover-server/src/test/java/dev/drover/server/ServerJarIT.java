package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar drover.jar server --config drover.yaml} as an operator runs it: config, environment, SIGTERM. */
@KubernetesTest
class ServerJarIT {
    private static final Path JAR = Path.of(System.getProperty("drover.jar", "target/drover.jar"));
    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+)");

    @TempDir
    Path home;

    private ProcessBuilder drover(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home,
                "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_") || k.equals("KUBECONFIG"));
        return pb;
    }

    @Test
    void theServerTakesItsSettingsFromTheConfigFileAndTheEnvironmentAndStopsOnSigterm(TestGround ground)
            throws Exception {
        Files.writeString(home.resolve("tokens"), "0123456789abcdef0123,ops,admin\n");
        Path config = home.resolve("drover.yaml");
        Files.writeString(config, """
                store: jdbc:h2:file:%s
                cluster: {kubeconfig: %s, name: jar-it}
                scheduler: {id: from-file}
                auth: {tokenFile: tokens}
                http: {host: 127.0.0.1, port: 0}
                """.formatted(home.resolve("store/drover"), ground.kubeconfig()));
        ProcessBuilder pb = drover("server", "--config", config.toString());
        pb.environment().put("DROVER_SCHEDULER_ID", "from-env");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            StringBuffer seen = new StringBuffer();
            java.util.concurrent.CompletableFuture<String> serving = new java.util.concurrent.CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        seen.append(line).append('\n');
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) {
                            serving.complete(m.group(1));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
                serving.complete(null);
            });
            String url = serving.get(90, TimeUnit.SECONDS);
            assertThat(url).as(seen.toString()).isNotNull();
            ApiClient api = new ApiClient(url);
            ApiClient.Answer replicas = api.get("/api/v1/replicas", "0123456789abcdef0123");
            assertThat(replicas.status()).as(replicas.body()).isEqualTo(200);
            assertThat(replicas.json().path("self").asText())
                    .as("the environment over the file")
                    .isEqualTo("from-env");
            assertThat(api.get("/api/v1/replicas", null).status()).isEqualTo(401);

            // SIGTERM as an operator's kill (Process.destroy would also close our end of its output)
            assertThat(new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
                            .start()
                            .waitFor())
                    .isZero();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            assertThat(p.exitValue()).as(seen.toString()).isIn(0, 143);
            assertThat(seen.toString()).contains("server from-env stopping");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aBadConfigFileIsOneLineNamingTheKey() throws Exception {
        Path config = home.resolve("drover.yaml");
        Files.writeString(config, "http: {port: eighty}\n");
        Process p = drover("server", "--config", config.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out.strip()).isEqualTo("drover: --config " + config + ": http.port: 'eighty' is not a whole number");
    }
}
