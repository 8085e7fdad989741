package dev.drover.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The tests' HTTP caller: a request with a token (or none), the answer as text and, where it is, JSON. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ApiClient(String base) {
        this.base = base;
    }

    record Answer(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    Answer get(String path, @Nullable String token) {
        return send("GET", path, token, null);
    }

    Answer post(String path, @Nullable String token, @Nullable String body) {
        return send("POST", path, token, body);
    }

    /** Just the status: the body (which may stream without end, like the watch's) is closed unread. */
    int status(String method, String path, @Nullable String token, @Nullable String body) {
        HttpResponse<java.io.InputStream> r =
                exchange(request(method, path, token, body), HttpResponse.BodyHandlers.ofInputStream());
        try {
            r.body().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r.statusCode();
    }

    Answer send(String method, String path, @Nullable String token, @Nullable String body, String... headers) {
        HttpRequest.Builder b = request(method, path, token, body);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = exchange(b, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private HttpRequest.Builder request(String method, String path, @Nullable String token, @Nullable String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return b;
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(b.build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
