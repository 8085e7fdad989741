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
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Plain HTTP against the apiserver (JDK HttpClient, trust-all TLS on loopback, bearer token): the
 * bench's writer of pods and its "raw" reader. No retries, no decoding beyond what is asked.
 */
final class KubeHttp implements AutoCloseable {
    private final String server;
    private final String token;
    private final String userAgent;
    private final HttpClient http;

    KubeHttp(String server, String token, String userAgent) {
        this(server, token, userAgent, null);
    }

    KubeHttp(String server, String token, String userAgent, HttpClient.Version version) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.token = token;
        this.userAgent = userAgent;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (version != null) {
            b.version(version);
        }
        if (this.server.startsWith("https")) {
            b.sslContext(trustAll());
        }
        this.http = b.build();
    }

    String server() {
        return server;
    }

    HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server + pathAndQuery)).header("User-Agent", userAgent);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(pathAndQuery).timeout(Duration.ofSeconds(30));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a GET whose body the caller reads (and closes); throws on a non-200 answer. */
    InputStream open(String pathAndQuery) throws IOException, InterruptedException {
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

    String getString(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", pathAndQuery, null, null);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    // --- pods ---

    static String podsPath(String namespace) {
        return "/api/v1/namespaces/" + namespace + "/pods";
    }

    /** A small pod that never runs (no scheduler here): one container, a few labels. */
    static String podJson(String name, Map<String, String> labels) {
        String l = labels.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(","));
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + l
                + "}},\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}";
    }

    int createPod(String namespace, String name, Map<String, String> labels) throws IOException, InterruptedException {
        return send("POST", podsPath(namespace), podJson(name, labels), "application/json")
                .statusCode();
    }

    /** A JSON merge patch of one label; every patch makes a new resourceVersion (one MODIFIED event). */
    HttpResponse<String> patchLabel(String namespace, String name, String key, String value)
            throws IOException, InterruptedException {
        String body = "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}";
        return send("PATCH", podsPath(namespace) + "/" + name, body, "application/merge-patch+json");
    }

    int deletePod(String namespace, String name) throws IOException, InterruptedException {
        // Grace 0: there is no kubelet to finish a graceful deletion, so the pod goes at once.
        return send("DELETE", podsPath(namespace) + "/" + name + "?gracePeriodSeconds=0", null, null)
                .statusCode();
    }

    @Override
    public void close() {
        http.close();
    }

    static SSLContext trustAll() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test ground's certificate is self-signed; trusting it is the point on loopback. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
