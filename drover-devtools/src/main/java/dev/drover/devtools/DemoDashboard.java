package dev.drover.devtools;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.server.DroverServer;
import dev.drover.server.TokenFile;
import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The dashboard over the demo's Drover and store: {@code drover server}'s API and pages on loopback
 * (port 8080 when it is free, else any), with a fresh random token in a file only its owner reads,
 * deleted when the demo ends.
 */
final class DemoDashboard implements AutoCloseable {
    static final int PREFERRED_PORT = 8080;
    private final DroverServer server;
    private final String token;
    private final Path tokenFile;

    private DemoDashboard(DroverServer server, String token, Path tokenFile) {
        this.server = server;
        this.token = token;
        this.tokenFile = tokenFile;
    }

    static DemoDashboard start(Drover drover, TaskStore store) {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path file;
        try {
            file = Files.createTempFile(
                    "drover-demo-tokens-",
                    "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + ",demo,submit\n");
        } catch (IOException e) {
            throw new UncheckedIOException("writing the dashboard's token file", e);
        }
        TokenFile tokens = TokenFile.read(file);
        DroverServer server;
        try {
            server = build(drover, store, tokens, PREFERRED_PORT);
        } catch (IllegalArgumentException taken) {
            server = build(drover, store, tokens, 0);
        }
        return new DemoDashboard(server.start(), token, file);
    }

    private static DroverServer build(Drover drover, TaskStore store, TokenFile tokens, int port) {
        return DroverServer.builder(drover, store)
                .host("127.0.0.1")
                .port(port)
                .authenticator(tokens)
                .build();
    }

    String url() {
        return server.url() + "/";
    }

    String token() {
        return token;
    }

    /** True when a person is at a terminal (then the demo keeps the dashboard up after its tasks end). */
    static boolean atTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            // JDK 22+: a Console exists without a terminal too; isTerminal tells.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a Console only at a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.close();
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            // a temp file left behind: its token opened a server that is gone
        }
    }
}
