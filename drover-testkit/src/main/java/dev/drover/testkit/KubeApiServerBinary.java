package dev.drover.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the kube-apiserver binary, building it from Debian's source package the first time.
 *
 * <p>Order: {@code DROVER_KUBE_APISERVER}, then the per-machine cache, then the bundled install
 * script (which also installs etcd and the build tools, and takes a lock so parallel builds wait).
 */
public final class KubeApiServerBinary {
    private static final Logger log = LoggerFactory.getLogger(KubeApiServerBinary.class);
    static final String VERSION = "1.20.2";

    private KubeApiServerBinary() {}

    public static Path cacheDir() {
        String env = System.getenv("DROVER_CACHE");
        return env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "drover");
    }

    /** Returns an executable kube-apiserver, installing and building what is missing. */
    public static synchronized Path ensure() {
        String env = System.getenv("DROVER_KUBE_APISERVER");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("DROVER_KUBE_APISERVER=" + env
                        + " is not an executable file; unset it to let Drover build kube-apiserver itself");
            }
            return p;
        }
        Path cached = cacheDir().resolve("kube-apiserver-v" + VERSION).resolve("kube-apiserver");
        if (Files.isExecutable(cached) && Files.isExecutable(Path.of("/usr/bin/etcd"))) {
            return cached;
        }
        return runInstallScript();
    }

    private static Path runInstallScript() {
        try {
            Path script = Files.createTempFile(
                    "drover-install-testground",
                    ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (InputStream in = KubeApiServerBinary.class.getResourceAsStream("install-testground.sh")) {
                if (in == null) {
                    throw new IllegalStateException("install-testground.sh is missing from the drover-testkit jar");
                }
                Files.write(script, in.readAllBytes());
            }
            log.info("installing the test ground (etcd, kube-apiserver v{}); the first build takes ~5 min", VERSION);
            Process p = new ProcessBuilder(List.of("bash", script.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            Files.deleteIfExists(script);
            String[] lines = out.split("\n");
            Path bin = Path.of(lines[lines.length - 1].trim());
            if (rc != 0 || !Files.isExecutable(bin)) {
                throw new IllegalStateException("installing the test ground failed (exit " + rc
                        + "); see the messages above. To use a prebuilt binary set DROVER_KUBE_APISERVER");
            }
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException("could not run the test-ground install script: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the test ground", e);
        }
    }
}
