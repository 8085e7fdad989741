package dev.drover.bench;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.server.DroverServer;
import dev.drover.server.TokenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@code drover server} on loopback over a Drover and its store, as the product serves it (bearer
 * tokens from a token file, HTTP/1.1), and the bench's client of it: one JDK {@link HttpClient}
 * (keep-alive, one connection per request in flight).
 */
final class ServerApi implements AutoCloseable {
    static final String TOKEN = "bench-admin-token-0123456789";

    final DroverServer server;
    final HttpClient http;
    final String url;

    private ServerApi(DroverServer server) {
        this.server = server;
        this.url = server.url();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Starts a server (a free port, admin token {@link #TOKEN}); the Drover may or may not schedule. */
    static ServerApi start(Drover drover, TaskStore store, Path tokenDir) {
        try {
            Path tokens = Files.createDirectories(tokenDir).resolve("tokens");
            Files.writeString(tokens, TOKEN + ",bench,admin\n");
            return new ServerApi(DroverServer.builder(drover, store)
                    .host("127.0.0.1")
                    .port(0)
                    .authenticator(TokenFile.read(tokens))
                    .build()
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(url + pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TOKEN);
    }

    /** GET, the body read whole; its length, or an exception for any status but 200. */
    int get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<byte[]> r =
                http.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + pathAndQuery + ": " + r.statusCode() + " " + new String(r.body()));
        }
        return r.body().length;
    }

    /** GET, the body as text (for the cursor walk). */
    String getText(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + pathAndQuery + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** POST /api/v1/tasks with a prepared body; throws unless 201. */
    void submit(byte[] body) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(
                request("/api/v1/tasks")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/tasks: " + r.statusCode() + " " + new String(r.body()));
        }
    }

    @Override
    public void close() {
        http.close();
        server.close();
    }
}
