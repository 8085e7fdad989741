package dev.drover.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A self-signed serving certificate for 127.0.0.1 (and localhost), made once per JVM and name with
 * the JDK's own {@code keytool}: no download, no internal JDK API. For the HTTPS servers the test
 * ground's apiserver calls: the simulated kubelets, admission webhooks.
 *
 * @param caBundle the certificate as base64 PEM, what a webhook configuration's {@code caBundle} takes
 */
public record LoopbackTls(SSLContext sslContext, String caBundle) {
    private static final Map<String, LoopbackTls> MADE = new ConcurrentHashMap<>();

    /** The certificate named {@code commonName}, made at the first call. */
    public static LoopbackTls of(String commonName) {
        return MADE.computeIfAbsent(commonName, LoopbackTls::make);
    }

    private static LoopbackTls make(String commonName) {
        char[] password = HexFormat.of().formatHex(randomBytes(12)).toCharArray();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("drover-tls-");
            Path store = dir.resolve("server.p12");
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-sigalg",
                    "SHA256withECDSA",
                    "-dname",
                    "CN=" + commonName,
                    "-ext",
                    "SAN=IP:127.0.0.1,DNS:localhost",
                    "-validity",
                    "3650",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    new String(password),
                    "-keypass",
                    new String(password));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool could not make the certificate " + commonName + ": " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, new SecureRandom());
            return new LoopbackTls(ssl, Base64.getEncoder().encodeToString(pem(ks.getCertificate("server"))));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the TLS certificate " + commonName + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the TLS certificate " + commonName, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static byte[] pem(Certificate cert) throws GeneralSecurityException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(cert.getEncoded());
        return ("-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static void deleteQuietly(@Nullable Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
