package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.testkit.AuditLog;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.RbacRule;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import dev.drover.testkit.TestUser;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-cluster mode against the real apiserver: the service-account files a pod sees (laid out as the
 * kubelet writes them: {@code token -> ..data/token}, {@code ..data} a symlink swapped atomically on
 * rotation), the apiserver's own CA verified (no trust-all), the token re-read when it rotates and
 * after a 401.
 */
@KubernetesTest
class InClusterTest {
    @TempDir
    Path dir;

    private final AtomicInteger generation = new AtomicInteger();

    @Test
    void talksToTheApiserverAsThePodsServiceAccountTrustingItsCa(TestGround ground, TestNamespace namespace)
            throws Exception {
        TestUser reader = ground.restrictedUser(namespace.name(), "reader", RbacRule.of("", "pods", "list"));
        writeFiles(ground, reader.token(), namespace.name());

        Config config = InCluster.config(environment(ground));
        assertThat(config.getMasterUrl()).startsWith("https://127.0.0.1:" + ground.apiServerPort());
        assertThat(config.getNamespace()).isEqualTo(namespace.name());
        assertThat(config.isTrustCerts()).isFalse();
        try (KubeApi api = KubeApi.builder(config).build()) {
            assertThat(listPods(api, namespace.name())).isEqualTo(200);
        }
        assertThat(AuditLog.read(ground, namespace.name())).anySatisfy(e -> {
            assertThat(e.user()).isEqualTo(reader.userName());
            assertThat(e.verb()).isEqualTo("list");
            assertThat(e.resource()).isEqualTo("pods");
            assertThat(e.code()).isEqualTo(200);
        });
    }

    @Test
    void aRotatedTokenIsUsedFromTheNextRequestsOn(TestGround ground, TestNamespace namespace) throws Exception {
        String ns = namespace.name();
        TestUser before = ground.restrictedUser(ns, "before", RbacRule.of("", "pods", "list"));
        TestUser after = ground.restrictedUser(ns, "after", RbacRule.of("", "configmaps", "list"));
        writeFiles(ground, before.token(), ns);
        try (KubeApi api =
                KubeApi.builder(InCluster.config(environment(ground))).build()) {
            assertThat(listPods(api, ns)).isEqualTo(200);
            assertThatThrownBy(() -> listConfigMaps(api, ns))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(403));

            writeFiles(ground, after.token(), ns); // the kubelet's rotation: a new ..data, swapped in at once

            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(ApiException.class)
                    .until(() -> listConfigMaps(api, ns) == 200);
            assertThatThrownBy(() -> listPods(api, ns))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(403));
        }
        assertThat(AuditLog.read(ground, ns)).anySatisfy(e -> {
            assertThat(e.user()).isEqualTo(after.userName());
            assertThat(e.resource()).isEqualTo("configmaps");
            assertThat(e.code()).isEqualTo(200);
        });
    }

    @Test
    void a401ReadsTheTokenFileAgainAndRetriesOnceWithTheNewToken(TestGround ground, TestNamespace namespace)
            throws Exception {
        String ns = namespace.name();
        TestUser reader = ground.restrictedUser(ns, "reader", RbacRule.of("", "pods", "list"));
        // Rejected by the apiserver (a signature byte changed), and of the same length as the good one.
        String rejected = tamper(reader.token());
        Path token = writeFiles(ground, rejected, ns);
        try (KubeApi api =
                KubeApi.builder(InCluster.config(environment(ground))).build()) {
            assertThatThrownBy(() -> listPods(api, ns))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(401));
            // The token read again was the same: no second try.
            assertThat(api.counters().requests()).containsEntry("list 401", 1L);

            // The file gets the good token, but looks unchanged (same size, same modification time),
            // so only the 401 makes the client read it.
            FileTime seen = Files.getLastModifiedTime(token);
            Path good = writeFiles(ground, reader.token(), ns);
            Files.setLastModifiedTime(good, seen);

            assertThat(listPods(api, ns)).isEqualTo(200);
            assertThat(api.counters().requests()).containsEntry("list 401", 2L).containsEntry("list 200", 1L);
            assertThat(listPods(api, ns)).isEqualTo(200); // and it keeps the good one
            assertThat(api.counters().requests()).containsEntry("list 401", 2L);
        }
    }

    @Test
    void missingFilesAndVariablesAreNamed(@TempDir Path empty) {
        assertThatThrownBy(() -> InCluster.config(Map.of())).hasMessageContaining("KUBERNETES_SERVICE_HOST is not set");
        assertThatThrownBy(() -> InCluster.config(Map.of(
                        "KUBERNETES_SERVICE_HOST",
                        "10.0.0.1",
                        "KUBERNETES_SERVICE_PORT",
                        "https",
                        InCluster.DIR_ENV,
                        empty.toString())))
                .hasMessageContaining("KUBERNETES_SERVICE_PORT 'https' is not a port number");
        assertThatThrownBy(() -> InCluster.config(
                        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", InCluster.DIR_ENV, empty.toString())))
                .hasMessageContaining(empty.resolve("token") + " cannot be read")
                .hasMessageContaining("$DROVER_SERVICEACCOUNT_DIR");
    }

    @Test
    void anIpv6ServiceAddressIsBracketed() throws IOException {
        Files.writeString(dir.resolve("token"), "t");
        Files.writeString(dir.resolve("ca.crt"), "");
        assertThat(InCluster.config("fd00::1", 443, dir).getMasterUrl()).startsWith("https://[fd00::1]:443");
    }

    private Map<String, String> environment(TestGround ground) {
        return Map.of(
                "KUBERNETES_SERVICE_HOST",
                "127.0.0.1",
                "KUBERNETES_SERVICE_PORT",
                Integer.toString(ground.apiServerPort()),
                InCluster.DIR_ENV,
                dir.toString());
    }

    /**
     * Writes token, ca.crt and namespace as the kubelet's atomic writer does: into a fresh {@code
     * ..<n>} directory, then {@code ..data} swapped to it by one rename. Returns the new token file.
     */
    private Path writeFiles(TestGround ground, String token, String namespace) throws IOException {
        String name = "..gen" + generation.incrementAndGet();
        Path data = Files.createDirectory(dir.resolve(name));
        Files.writeString(data.resolve("token"), token);
        Files.writeString(data.resolve("ca.crt"), ground.caCertificate());
        Files.writeString(data.resolve("namespace"), namespace);
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(name));
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String f : new String[] {"token", "ca.crt", "namespace"}) {
            if (!Files.exists(dir.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(f), Path.of("..data", f));
            }
        }
        return data.resolve("token");
    }

    private static String tamper(String jwt) {
        int i = jwt.length() - 10; // inside the signature
        char c = jwt.charAt(i) == 'A' ? 'B' : 'A';
        return jwt.substring(0, i) + c + jwt.substring(i + 1);
    }

    private static int listPods(KubeApi api, String ns) {
        return api.get("list", "/api/v1/namespaces/" + ns + "/pods", null, in -> {
            in.readAllBytes();
            return 200;
        });
    }

    private static int listConfigMaps(KubeApi api, String ns) {
        return api.get("list", "/api/v1/namespaces/" + ns + "/configmaps", null, in -> {
            in.readAllBytes();
            return 200;
        });
    }
}
