package dev.drover.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;

/**
 * Namespaces a submit saw exist, remembered for a while per cluster (a file each under
 * {@code ~/.cache/drover/namespaces}), so the next submit to them need not ask the cluster: that
 * question costs a Kubernetes client and a TLS handshake, most of a short command's time. A
 * namespace deleted meanwhile still fails clearly, at launch (NamespaceNotFound).
 */
final class KnownNamespaces {
    static final Duration REMEMBERED = Duration.ofMinutes(10);
    private final Path dir;

    KnownNamespaces(String cluster) {
        this.dir = Path.of(System.getProperty("user.home"), ".cache", "drover", "namespaces", digest(cluster));
    }

    boolean allKnown(Collection<String> namespaces) {
        Instant fresh = Instant.now().minus(REMEMBERED);
        for (String ns : namespaces) {
            try {
                Path f = dir.resolve(ns);
                if (!Files.exists(f) || Files.getLastModifiedTime(f).toInstant().isBefore(fresh)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Remembers that these exist (a failure to write is harmless: the next submit asks again). */
    void remember(Collection<String> namespaces) {
        try {
            Files.createDirectories(dir);
            for (String ns : namespaces) {
                Path f = dir.resolve(ns);
                if (Files.exists(f)) {
                    Files.setLastModifiedTime(f, FileTime.from(Instant.now()));
                } else {
                    Files.createFile(f);
                }
            }
        } catch (IOException ignored) {
            // only an optimization
        }
    }

    private static String digest(String cluster) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cluster.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
