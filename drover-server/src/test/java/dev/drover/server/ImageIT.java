package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image (deploy/image/build.sh) built from this build's drover.jar and run with
 * podman: the same bytes for the same inputs, not root, {@code drover --version}, and {@code drover
 * server} in it scheduling a task on the test ground's apiserver (host network: the apiserver
 * listens on loopback).
 */
@KubernetesTest
class ImageIT {
    private static final Path JAR = Path.of(System.getProperty("drover.jar", "target/drover.jar"));
    private static final Path BUILD = Path.of(System.getProperty("drover.image.build", "../deploy/image/build.sh"));
    private static final Path ARCHIVE =
            Path.of(System.getProperty("drover.image.archive", "target/image/drover-image.tar"));
    private static final String TOKEN = "image-test-token-0123456789";

    private static String digest;
    private static String ref;
    private static Podman podman;

    @BeforeAll
    static void buildAndLoad() throws IOException {
        digest = build("--output", ARCHIVE.toString());
        podman = new Podman(
                ARCHIVE.resolveSibling("podman-storage"), System.getProperty("drover.image.storage-driver", "overlay"));
        String loaded = podman.podman("load", "--quiet", "--input", ARCHIVE.toString())
                .ok()
                .out();
        assertThat(loaded).startsWith("Loaded image: localhost/drover:");
        ref = loaded.substring("Loaded image: ".length()).strip();
    }

    @AfterAll
    static void removeImages() throws IOException {
        if (podman != null) {
            podman.close();
        }
    }

    private static String build(String... args) {
        List<String> command = new ArrayList<>(List.of(BUILD.toString(), "--jar", JAR.toString()));
        command.addAll(Arrays.asList(args));
        Podman.Run r = Podman.exec(command).ok();
        assertThat(r.out()).matches("sha256:[0-9a-f]{64}\n");
        return r.out().strip();
    }

    @Test
    void theSameInputsMakeTheSameImageByteForByteWithoutTheCache(@TempDir Path dir) throws IOException {
        Path again = dir.resolve("again.tar");

        String rebuilt = build("--cache", dir.resolve("cache").toString(), "--output", again.toString());

        assertThat(rebuilt).isEqualTo(digest);
        assertThat(Files.mismatch(ARCHIVE, again)).isEqualTo(-1L);
    }

    @Test
    void theImageRunsTheServerAsAnUnprivilegedUser() throws IOException {
        JsonNode config = ApiClient.JSON
                .readTree(Podman.exec(List.of("skopeo", "inspect", "--config", "oci-archive:" + ARCHIVE))
                        .ok()
                        .out())
                .path("config");

        assertThat(config.path("User").asText()).isEqualTo("65532:65532");
        assertThat(config.path("Entrypoint").toString()).isEqualTo("[\"java\",\"-jar\",\"/app/drover.jar\"]");
        assertThat(config.path("Cmd").toString()).isEqualTo("[\"server\"]");
        assertThat(ref)
                .isEqualTo("localhost/drover:"
                        + config.path("Labels")
                                .path("org.opencontainers.image.version")
                                .asText());
    }

    @Test
    void theImagesRuntimeHasEveryModuleJdepsFindsInTheJar() throws IOException {
        Podman.Run found = Podman.exec(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "jdeps").toString(),
                        "--multi-release",
                        String.valueOf(Runtime.version().feature()),
                        "--ignore-missing-deps",
                        "--print-module-deps",
                        JAR.toString()))
                .ok();
        List<String> listed = Files.readAllLines(BUILD.resolveSibling("modules")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(String::strip)
                .toList();

        assertThat(listed).containsAll(Arrays.asList(found.out().strip().split(",")));
    }

    @Test
    void droverVersionInTheImageIsTheJarsVersion() {
        String expected = Podman.exec(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.toString(),
                        "--version"))
                .ok()
                .out();

        Podman.Run r = podman.run("--network=none", ref, "--version").ok();

        assertThat(r.out()).isEqualTo(expected).startsWith("drover ");
    }

    @Test
    void theServerInTheImageIsReadyAndRunsATask(
            TestGround ground, KubernetesClient client, TestNamespace namespace, @TempDir Path dir) throws Exception {
        // what the container reads, readable by its user; its store's directory, writable by it
        Path kubeconfig = Files.copy(ground.kubeconfig(), dir.resolve("kubeconfig"));
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + ",tester,admin\n");
        for (Path f : List.of(kubeconfig, tokens)) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setAttribute(data, "unix:uid", 65532);
        Files.setAttribute(data, "unix:gid", 65532);
        int port = freePort();
        String name = "drover-image-it-" + ProcessHandle.current().pid();
        List<String> run = new ArrayList<>(podman.runOptions());
        run.addAll(List.of(
                "--detach",
                "--name",
                name,
                "--network=host",
                "-v",
                kubeconfig + ":/etc/drover/kubeconfig:ro",
                "-v",
                tokens + ":/etc/drover/tokens:ro",
                "-v",
                data + ":/var/lib/drover",
                ref,
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--token-file",
                "/etc/drover/tokens",
                "--kubeconfig",
                "/etc/drover/kubeconfig",
                "--cluster",
                "image-test",
                "--store",
                "jdbc:h2:file:/var/lib/drover/drover"));
        try (NodeSimulator sim = NodeSimulator.builder(client)
                .namespaces(namespace.name())
                .nodeNamePrefix(namespace.name() + "-")
                .build()
                .start()) {
            podman.podman(run.toArray(String[]::new)).ok();
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);

            await().atMost(Duration.ofSeconds(90))
                    .ignoreExceptions()
                    .untilAsserted(
                            () -> assertThat(api.get("/readyz", null).status()).isEqualTo(200));
            assertThat(api.get("/readyz", null).json().path("status").asText()).isEqualTo("ok");
            ApiClient.Answer created = api.post("/api/v1/tasks", TOKEN, """
                    {"name": "hello", "namespace": "%s", "image": "busybox:1.36", "command": ["echo", "hi"]}
                    """.formatted(namespace.name()));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().path("id").asText();
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(api.get("/api/v1/tasks/" + id, TOKEN)
                                    .json()
                                    .path("state")
                                    .asText())
                            .isEqualTo("SUCCEEDED"));

            // SIGTERM to the JVM (pid 1 in the container) stops the replica gracefully
            podman.podman("stop", "--time", "30", name).ok();
            String exit = podman.podman("inspect", "--format", "{{.State.ExitCode}}", name)
                    .ok()
                    .out()
                    .strip();
            Podman.Run logged = podman.podman("logs", name).ok();
            String logs = logged.out() + logged.err();
            assertThat(logs).contains("stopping");
            assertThat(exit).as(logs).isIn("0", "143");
            Set<String> files = new TreeSet<>();
            try (var list = Files.list(data)) {
                list.forEach(f -> files.add(f.getFileName().toString()));
            }
            assertThat(files).contains("drover.mv.db");
            assertThat(Files.getAttribute(data.resolve("drover.mv.db"), "unix:uid"))
                    .isEqualTo(65532);
        } finally {
            podman.podman("rm", "--force", name);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
