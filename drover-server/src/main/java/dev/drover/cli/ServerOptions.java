package dev.drover.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code --server URL} and its token: the command asks a Drover server's REST API instead of opening
 * the store or a kubeconfig. Only strings here, so that picocli reading the options loads nothing
 * of the HTTP client.
 */
final class ServerOptions {
    /** Options that name a store, a cluster or files of this machine: with a server they would be ignored. */
    static final List<String> LOCAL_ONLY = List.of(
            "--store",
            "--kubeconfig",
            "--context",
            "--log-dir",
            "--cluster",
            "--scheduler-id",
            "--namespaces",
            "--no-log-archive",
            "--no-pod-finalizer");

    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "Ask this Drover server (drover server) instead of the store: http(s)://host:port"
                    + " (default: $DROVER_SERVER).")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "The server's bearer token (default: $DROVER_TOKEN).")
    String token;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "A file holding just the bearer token (in place of --token).")
    Path tokenFile;

    @Option(
            names = "--server-ca",
            paramLabel = "PEM",
            description = "Also trust these CA certificates for an https server (besides the JVM's).")
    Path serverCa;

    /** Whether a server is named (by the flag or $DROVER_SERVER). */
    boolean given() {
        return url() != null;
    }

    private String url() {
        if (server != null) {
            return server;
        }
        String env = System.getenv("DROVER_SERVER");
        return env == null || env.isBlank() ? null : env;
    }

    private String urlSource() {
        return server != null ? "--server" : "$DROVER_SERVER";
    }

    /**
     * The client for the server; first refuses the local-only options given with it, naming both
     * (a --store with a server would be silently unused).
     */
    ServerClient client(CommandSpec spec) {
        ParseResult parsed = spec.commandLine().getParseResult();
        for (String name : LOCAL_ONLY) {
            if (spec.findOption(name) != null && parsed.hasMatchedOption(name)) {
                throw new IllegalArgumentException(urlSource() + " and " + name + ": a command sent to a Drover"
                        + " server uses the server's store and cluster; leave out " + name
                        + (server == null ? " or unset DROVER_SERVER" : " or --server"));
            }
        }
        if (token != null && tokenFile != null) {
            throw new IllegalArgumentException("--token and --token-file: give one of them");
        }
        return new ServerClient(base(), bearer(), tokenSource(), serverCa);
    }

    private URI base() {
        String text = url().strip();
        String fix = "; write e.g. https://drover.example:8080 or http://127.0.0.1:8080";
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(urlSource() + " " + text + ": not a URL (" + e.getReason() + ")" + fix);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null
                || uri.getQuery() != null
                || uri.getFragment() != null) {
            throw new IllegalArgumentException(urlSource() + " " + text + ": not an http(s) URL of a server" + fix);
        }
        return uri;
    }

    private String bearer() {
        if (token != null) {
            if (token.isBlank()) {
                throw new IllegalArgumentException("--token: is empty");
            }
            return token.strip();
        }
        if (tokenFile != null) {
            try {
                String text =
                        Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (text.isEmpty() || text.contains("\n")) {
                    throw new IllegalArgumentException("--token-file " + tokenFile + ": "
                            + (text.isEmpty() ? "is empty" : "holds more than one line")
                            + "; the file holds just the token");
                }
                return text;
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("--token-file " + tokenFile + ": no such file");
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-file " + tokenFile + ": cannot read it (" + e + ")");
            }
        }
        String env = System.getenv("DROVER_TOKEN");
        return env == null || env.isBlank() ? null : env.strip();
    }

    private String tokenSource() {
        if (token != null) {
            return "--token";
        }
        if (tokenFile != null) {
            return "--token-file " + tokenFile;
        }
        String env = System.getenv("DROVER_TOKEN");
        return env == null || env.isBlank() ? null : "$DROVER_TOKEN";
    }
}
