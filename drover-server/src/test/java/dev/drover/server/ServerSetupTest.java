package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a server is set up: authentication is explicit, TLS from PEM files, read-only, token files. No cluster needed. */
class ServerSetupTest {
    @TempDir
    Path dir;

    private TaskStore store;
    private Drover drover;

    @BeforeEach
    void setUp() {
        store = TaskStores.fromUrl(
                "jdbc:h2:mem:setup" + ThreadLocalRandom.current().nextInt(1 << 30)
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        // Never started: a server over it serves reads and submits, and schedules nothing.
        drover = Drover.builder(
                        new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build(), store)
                .cluster("setup")
                .build();
    }

    @AfterEach
    void tearDown() {
        drover.close();
        store.close();
    }

    @Test
    void aServerNeedsAnAuthenticatorOrAnExplicitNoAuthOnLoopbackOnly() {
        assertThatThrownBy(() -> DroverServer.builder(drover, store).port(0).build())
                .hasMessageContaining("no authenticator: give a token file (--token-file)");
        assertThatThrownBy(() -> DroverServer.builder(drover, store)
                        .host("0.0.0.0")
                        .port(0)
                        .withoutAuthentication()
                        .build())
                .hasMessageContaining("without authentication the server listens on loopback only");
        try (DroverServer s = DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(0)
                .withoutAuthentication()
                .build()
                .start()) {
            assertThat(new ApiClient(s.url()).get("/api/v1/tasks", null).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aPortInUseIsAnErrorNamingIt() {
        try (DroverServer first = DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(0)
                .withoutAuthentication()
                .build()
                .start()) {
            assertThatThrownBy(() -> DroverServer.builder(drover, store)
                            .host("127.0.0.1")
                            .port(first.port())
                            .withoutAuthentication()
                            .build())
                    .hasMessageContaining("port " + first.port() + " on 127.0.0.1");
        }
    }

    @Test
    void aReadOnlyServerServesReadsAndRefusesSubmitsAndCancels() {
        try (DroverServer s = DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(0)
                .withoutAuthentication()
                .readOnly(true)
                .build()
                .start()) {
            ApiClient api = new ApiClient(s.url());
            ApiClient.Answer submit = api.post("/api/v1/tasks", null, "{\"image\": \"busybox:1.36\"}");
            assertThat(submit.status()).isEqualTo(405);
            assertThat(submit.json().path("detail").asText()).contains("read-only");
            assertThat(api.get("/api/v1/tasks", null).status()).isEqualTo(200);
            assertThat(api.get("/readyz", null).status()).isEqualTo(200);
        }
    }

    @Test
    void tlsServesHttpsFromAPemCertificateAndKey() throws Exception {
        Path key = dir.resolve("tls.key");
        Path cert = dir.resolve("tls.crt");
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString())
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();

        try (DroverServer s = DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(0)
                .withoutAuthentication()
                .tls(Tls.fromPem(cert, key))
                .build()
                .start()) {
            assertThat(s.url()).startsWith("https://");
            HttpClient https =
                    HttpClient.newBuilder().sslContext(trusting(cert)).build();
            HttpResponse<String> r = https.send(
                    HttpRequest.newBuilder(URI.create(s.url() + "/livez")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> Tls.fromPem(cert, cert)).hasMessageContaining("no PKCS#8 key (BEGIN PRIVATE KEY)");
        assertThatThrownBy(() -> Tls.fromPem(key, key)).hasMessageContaining("--tls-cert " + key);
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry(
                "server",
                CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    @Test
    void aTokenFileIsCheckedLineByLineAndReadAgainWhenItChanges() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "short,ann,read\n");
        assertThatThrownBy(() -> TokenFile.read(f)).hasMessageContaining("line 1: the token is shorter than 16");
        Files.writeString(f, "# comment\n0123456789abcdef,ann,reader\n");
        assertThatThrownBy(() -> TokenFile.read(f))
                .hasMessageContaining("line 2: 'reader' is not a role; write read, submit or admin");
        Files.writeString(f, "0123456789abcdef,ann\n");
        assertThatThrownBy(() -> TokenFile.read(f)).hasMessageContaining("write token,name,role");
        assertThatThrownBy(() -> TokenFile.read(dir.resolve("none"))).hasMessageContaining("no such file");

        Files.writeString(f, "0123456789abcdef,ann,read\n");
        TokenFile tokens = TokenFile.read(f);
        assertThat(tokens.authenticate("0123456789abcdef")).contains(new Principal("ann", Role.READ));
        Files.write(f, List.of("fedcba9876543210,bob,admin"));
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        // looked at once a second at most
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> tokens.authenticate("0123456789abcdef").isEmpty());
        assertThat(tokens.authenticate("fedcba9876543210")).contains(new Principal("bob", Role.ADMIN));
        Files.writeString(f, "broken");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 9000));
        org.awaitility.Awaitility.await()
                .during(java.time.Duration.ofMillis(1500))
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> tokens.authenticate("fedcba9876543210").isPresent());
        assertThat(tokens.authenticate("fedcba9876543210"))
                .as("a bad new text keeps the tokens it had")
                .contains(new Principal("bob", Role.ADMIN));
    }
}
