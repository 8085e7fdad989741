package dev.drover.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The executor benchmark's plain HTTP to the apiserver (JDK HttpClient, trust-all TLS on loopback,
 * bearer token, a user agent of its own so the audit log tells its requests apart): the raw pod
 * creates, the independent pod watch and the {@code /metrics} scrapes.
 */
final class ExecutorHttp implements AutoCloseable {
    private final String server;
    private final String token;
    private final String userAgent;
    private final HttpClient http;

    ExecutorHttp(String server, String token, String userAgent) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.token = token;
        this.userAgent = userAgent;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (this.server.startsWith("https")) {
            b.sslContext(trustAll());
        }
        this.http = b.build();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server + pathAndQuery)).header("User-Agent", userAgent);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    String get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                request(pathAndQuery).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** A POST of a JSON body; the answer's status and body. */
    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(
                request(path)
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a streaming GET (a watch); the caller reads and closes the body. */
    InputStream stream(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(
                request(pathAndQuery).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String msg;
            try (InputStream in = r.body()) {
                msg = new String(in.readNBytes(2048));
            }
            throw new IOException("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + msg);
        }
        return r.body();
    }

    @Override
    public void close() {
        http.close();
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(
                    null,
                    new TrustManager[] {
                        new X509TrustManager() {
                            @Override
                            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    new SecureRandom());
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
