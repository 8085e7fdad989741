package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TcpProxy;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Container logs read and followed through the real apiserver's {@code pods/<p>/log}, served by
 * drover-sim's kubelets; dropped connections made by a TCP proxy between us and the apiserver.
 */
@KubernetesTest
class PodLogTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private NodeSimulator sim;
    private String ns;

    @BeforeEach
    void startSimulator(KubernetesClient client, TestNamespace namespace) {
        ns = namespace.name();
        sim = NodeSimulator.builder(client).namespaces(ns).build().start();
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void followGoesOnAfterTwoDroppedConnectionsWithoutLosingOrRepeatingALineAndEndsWithTheContainer(
            TestGround ground, KubernetesClient client) throws Exception {
        // 150 lines, one every 40 ms: many to a second, so sinceTime (whole seconds) resends some
        List<String> expected =
                IntStream.rangeClosed(1, 150).mapToObj(i -> "line " + i).toList();
        create(client, "chatty", "run=6s; log=" + String.join("|", expected));
        awaitPhase(client, "chatty", "Running");

        try (TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken())) {
            PodLog logs = PodLog.builder(api)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .build();
            Lines got = new Lines();
            CompletableFuture<Long> follow = followInBackground(logs, "chatty", got);

            await().atMost(WAIT).until(() -> got.count() >= 30);
            proxy.cutAll();
            await().atMost(WAIT).until(() -> got.count() >= 80);
            proxy.cutAll();

            assertThat(follow.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(150);
            assertThat(got.all()).containsExactlyElementsOf(expected);
            // Three answers: the first and one after each cut.
            assertThat(api.counters().requests().get("log 200")).isEqualTo(3);
        }
    }

    @Test
    void followGivesUpAfterTheAllowedReconnectsFailInARow(TestGround ground, KubernetesClient client) throws Exception {
        create(client, "cut-off", "run=20s; log=" + String.join("|", numbered(200)));
        awaitPhase(client, "cut-off", "Running");

        try (TcpProxy proxy = new TcpProxy(ground.apiServerPort());
                KubeApi api = Fixtures.api(proxy.url(), ground.adminToken())) {
            PodLog logs = PodLog.builder(api)
                    .maxReconnects(2)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(100))
                    .build();
            Lines got = new Lines();
            CompletableFuture<Long> follow = followInBackground(logs, "cut-off", got);
            await().atMost(WAIT).until(() -> got.count() >= 3);

            proxy.cut(true); // and every new connection is closed at once

            assertThatThrownBy(() -> follow.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("log of pod " + ns + "/cut-off container main")
                    .hasMessageContaining("gave up after 2 reconnects in a row failed");
            // The stream, then 2 reconnects that got no answer (the JDK client tries each connection twice).
            assertThat(api.counters().requests()).containsEntry("log 200", 1L).containsEntry("log 0", 2L);
        }
    }

    @Test
    void readCopiesTheLogOfAFinishedContainer(TestGround ground, KubernetesClient client) throws Exception {
        create(client, "done", "run=300ms; log=one|two|three");
        awaitPhase(client, "done", "Succeeded");

        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteArrayOutputStream tail = new ByteArrayOutputStream();

            long bytes = PodLog.builder(api).build().read(ns, "done", "main", all);
            PodLog.builder(api).tailLines(2).build().read(ns, "done", "main", tail);

            assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\nthree\n");
            assertThat(bytes).isEqualTo(14);
            assertThat(tail.toString(StandardCharsets.UTF_8)).isEqualTo("two\nthree\n");
            assertThat(api.counters().requests()).containsEntry("log 200", 2L);
        }
    }

    @Test
    void followOfAFinishedContainerDeliversItsTailAndReturns(TestGround ground, KubernetesClient client)
            throws Exception {
        create(client, "ended", "run=300ms; log=one|two|three");
        awaitPhase(client, "ended", "Succeeded");

        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            long lines = PodLog.builder(api).tailLines(1).build().follow(ns, "ended", "main", out);

            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("three\n");
            assertThat(lines).isEqualTo(1);
        }
    }

    @Test
    void anUnknownPodOrContainerIsReportedAsSuch(TestGround ground, KubernetesClient client) {
        create(client, "known", "run=300ms; log=hi");
        awaitPhase(client, "known", "Succeeded");

        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            PodLog logs = PodLog.builder(api).build();

            assertThatThrownBy(() -> logs.read(ns, "unknown", "main", OutputStream.nullOutputStream()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(404))
                    .hasMessageContaining("log of pod " + ns + "/unknown container main: not found")
                    .hasMessageContaining("pods \"unknown\" not found");
            assertThatThrownBy(() -> logs.follow(ns, "known", "other", OutputStream.nullOutputStream()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                    .hasMessageContaining("log of pod " + ns + "/known container other: the pod has no such container");
        }
    }

    @Test
    void aContainerWaitingToStartHasNoLogYet(TestGround ground, KubernetesClient client) {
        create(client, "stuck", "config-error");
        await().atMost(WAIT).until(() -> {
            Pod p = client.pods().inNamespace(ns).withName("stuck").get();
            return p.getStatus().getContainerStatuses() != null
                    && !p.getStatus().getContainerStatuses().isEmpty()
                    && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                    && "CreateContainerConfigError"
                            .equals(p.getStatus()
                                    .getContainerStatuses()
                                    .get(0)
                                    .getState()
                                    .getWaiting()
                                    .getReason());
        });

        try (KubeApi api = KubeApi.builder(ground.adminConfig()).build()) {
            PodLog logs = PodLog.builder(api).build();

            assertThatThrownBy(() -> logs.follow(ns, "stuck", "main", OutputStream.nullOutputStream()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                    .hasMessageContaining(
                            "log of pod " + ns + "/stuck container main: the container has not started yet")
                    .hasMessageContaining("is waiting to start: CreateContainerConfigError");
            // Not a dropped connection: asked once, not retried.
            assertThat(api.counters().requests()).containsOnlyKeys("log 400");
            assertThat(api.counters().requests("log")).isEqualTo(1);
        }
    }

    private CompletableFuture<Long> followInBackground(PodLog logs, String pod, OutputStream out) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(logs.follow(ns, pod, "main", out));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static List<String> numbered(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "line " + i).toList();
    }

    private void create(KubernetesClient client, String name, String behavior) {
        client.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToAnnotations(NodeSimulator.BEHAVIOR_ANNOTATION, behavior)
                        .endMetadata()
                        .withNewSpec()
                        .withRestartPolicy("Never")
                        .addNewContainer()
                        .withName("main")
                        .withImage("busybox")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
    }

    private void awaitPhase(KubernetesClient client, String name, String phase) {
        await().atMost(WAIT).until(() -> {
            Pod p = client.pods().inNamespace(ns).withName(name).get();
            return p != null
                    && p.getStatus() != null
                    && phase.equals(p.getStatus().getPhase());
        });
    }

    /** A sink that keeps the lines it was given, readable while they arrive. */
    private static final class Lines extends OutputStream {
        private final List<String> lines = new ArrayList<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else {
                partial.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        synchronized int count() {
            return lines.size();
        }

        synchronized List<String> all() {
            return List.copyOf(lines);
        }
    }
}
