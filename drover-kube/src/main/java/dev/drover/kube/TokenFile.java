package dev.drover.kube;

import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token read from a file that is rewritten while we run: a pod's projected
 * service-account token, which the kubelet replaces well before it expires. The file is looked at
 * (its modification time and size) at most once a second and read again when it changed; {@link
 * KubeApi} also calls {@link #reload} on a 401, for a change the look did not see.
 */
final class TokenFile implements OAuthTokenProvider {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
    private static final long LOOK_EVERY_NANOS = 1_000_000_000L;

    private final Path file;
    private final LongSupplier nanoTime;
    private @Nullable String token;
    private @Nullable FileTime modified;
    private long size = -1;
    private long lookedAt;

    TokenFile(Path file) {
        this(file, System::nanoTime);
    }

    TokenFile(Path file, LongSupplier nanoTime) {
        this.file = file;
        this.nanoTime = nanoTime;
        read();
        this.lookedAt = nanoTime.getAsLong();
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized String getToken() {
        long now = nanoTime.getAsLong();
        if (now - lookedAt >= LOOK_EVERY_NANOS) {
            lookedAt = now;
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                if (!a.lastModifiedTime().equals(modified) || a.size() != size) {
                    read();
                }
            } catch (IOException e) {
                // Mid-rotation or gone for a moment: keep the token we have; a 401 will say if it is dead.
                log.debug("cannot look at token file {}: {}", file, e.toString());
            }
        }
        return Objects.requireNonNull(token);
    }

    /** Reads the file again now; true when the token in it differs from the one held before. */
    synchronized boolean reload() {
        String before = token;
        try {
            read();
        } catch (IllegalStateException e) {
            log.warn("{}", e.getMessage());
            return false;
        }
        lookedAt = nanoTime.getAsLong();
        return !Objects.equals(before, token);
    }

    private void read() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            String read = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (read.isEmpty()) {
                throw new IllegalStateException("token file " + file + " is empty");
            }
            if (token != null && !token.equals(read)) {
                log.info("service-account token in {} changed: using the new one", file);
            }
            token = read;
            modified = a.lastModifiedTime();
            size = a.size();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read token file " + file + ": " + e, e);
        }
    }
}
