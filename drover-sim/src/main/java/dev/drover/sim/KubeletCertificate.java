package dev.drover.sim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The simulated kubelets' self-signed serving certificate, made once per JVM with the JDK's own
 * {@code keytool} (no download, no internal JDK API). The apiserver accepts it because the test
 * ground gives it no kubelet CA to verify against.
 */
final class KubeletCertificate {
    private static SSLContext context;

    private KubeletCertificate() {}

    static synchronized SSLContext sslContext() {
        if (context == null) {
            context = generate();
        }
        return context;
    }

    private static SSLContext generate() {
        char[] password = HexFormat.of().formatHex(randomBytes(12)).toCharArray();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("drover-sim-tls-");
            Path store = dir.resolve("kubelet.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> cmd = List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    "kubelet",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-sigalg",
                    "SHA256withECDSA",
                    "-dname",
                    "CN=drover-sim-kubelet",
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
                throw new IllegalStateException("keytool could not make the kubelet certificate: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ssl;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the kubelet's TLS certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the kubelet's TLS certificate", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static void deleteQuietly(Path dir) {
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
