package dev.drover.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens from a file of lines {@code token,name,role} (role: read, submit or admin; {@code #}
 * starts a comment). Read at start, where a bad line fails naming its number; read again when the
 * file changes (looked at once a second at most: a rotated Secret), keeping the tokens it had if the new text is bad. Tokens are kept
 * only as SHA-256 digests, so a lookup compares digests, not the secret text.
 */
public final class TokenFile implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
    private final Path file;
    private volatile Map<String, Principal> byDigest;
    private volatile FileTime readAt;
    private volatile long checkedAt = System.nanoTime();
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private TokenFile(Path file, Map<String, Principal> byDigest, FileTime readAt) {
        this.file = file;
        this.byDigest = byDigest;
        this.readAt = readAt;
    }

    /** Reads the file; a missing file or a bad line is an {@link IllegalArgumentException} naming it. */
    public static TokenFile read(Path file) {
        try {
            FileTime at = Files.getLastModifiedTime(file);
            return new TokenFile(file, parse(file, Files.readAllLines(file, StandardCharsets.UTF_8)), at);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Principal> parse(Path file, List<String> lines) {
        Map<String, Principal> out = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1) + ": ";
            String[] parts = line.split(",", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + "write token,name,role (got " + parts.length + " fields)");
            }
            String token = parts[0].strip();
            String name = parts[1].strip();
            if (token.length() < 16) {
                throw new IllegalArgumentException(
                        where + "the token is shorter than 16 characters; use e.g." + " `openssl rand -hex 32`");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException(where + "the name is empty");
            }
            Role role;
            try {
                role = Role.parse(parts[2]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            if (out.put(digest(token), new Principal(name, role)) != null) {
                throw new IllegalArgumentException(where + "this token is given twice");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no tokens; write lines token,name,role");
        }
        return out;
    }

    @Override
    public Optional<Principal> authenticate(String bearerToken) {
        reloadIfChanged();
        return Optional.ofNullable(byDigest.get(digest(bearerToken)));
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - checkedAt < CHECK_EVERY_NANOS) {
            return; // a file stat per request would be most of a cheap request's cost
        }
        checkedAt = now;
        try {
            FileTime at = Files.getLastModifiedTime(file);
            if (at.equals(readAt)) {
                return;
            }
            synchronized (this) {
                if (!at.equals(readAt)) {
                    readAt = at;
                    byDigest = parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
                    log.info("token file {} read again: {} tokens", file, byDigest.size());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            log.warn("token file {} could not be read again, keeping its earlier tokens: {}", file, e.getMessage());
        }
    }

    static String digest(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
