package dev.drover.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads from the apiserver: lists and watches as byte streams, behind one client-side rate limit.
 * Credentials and TLS come from a fabric8 {@link Config} (kubeconfig, context, in-cluster).
 *
 * <p>A 429 answer pauses every caller of this client for the server's Retry-After (fabric8's own
 * retry computes it, then sleeps its plain backoff instead) and the request is tried again.
 */
public final class KubeApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubeApi.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final String server;
    private final Config config;
    private final HttpClient http;
    private final RateLimiter limiter;
    private final int maxThrottledRetries;
    private final ApiCounters counters = new ApiCounters();

    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(45);

    private KubeApi(Builder b) {
        this.config = b.config;
        this.server = stripSlash(b.config.getMasterUrl());
        this.limiter = new RateLimiter(b.qps, b.burst);
        this.maxThrottledRetries = b.maxThrottledRetries;
        try {
            // HTTP/1.1: a connection per request in flight. Over HTTP/2 the JDK client carries every
            // request on one connection, and a watch's events then queue behind the creates and
            // deletes (executor bench: terminal status -> committed p99 2.7 s on HTTP/2, 62 ms here).
            HttpClient.Builder hb =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
            if (server.startsWith("https")) {
                hb.sslContext(SSLUtils.sslContext(config));
            }
            this.http = hb.build();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot set up TLS for " + server + ": " + e.getMessage(), e);
        }
    }

    public static Builder builder(Config config) {
        return new Builder(config);
    }

    public String server() {
        return server;
    }

    public ApiCounters counters() {
        return counters;
    }

    /** Reads a body (list or get); the caller decodes it while it streams in. */
    public <R> R get(String verb, String path, Map<String, String> query, BodyReader<R> reader) {
        try (InputStream in = open(verb, path, query, Duration.ofMinutes(5))) {
            return reader.read(in);
        } catch (IOException e) {
            throw new ApiException(e.toString(), e);
        }
    }

    /**
     * Sends a JSON merge patch to {@code path} (e.g. a pod) and returns the status code: no read
     * before the write, unlike fabric8's patch, which GETs the object first. 404 is returned, not
     * thrown; other errors throw {@link ApiException}.
     */
    public int mergePatch(String path, String json) {
        return write("patch", "PATCH", path, "application/merge-patch+json", json);
    }

    /**
     * Creates an object: POSTs {@code json} to the collection at {@code path}. Returns the status
     * code (2xx, or 404 when the namespace does not exist); the answer's body is not read. Other
     * errors throw {@link ApiException}, whose {@code code()} tells e.g. 409 AlreadyExists or 422.
     */
    public int create(String path, String json) {
        return write("create", "POST", path, "application/json", json);
    }

    /** Deletes the object at {@code path} with its default grace period; 404 is returned, not thrown. */
    public int delete(String path) {
        return write("delete", "DELETE", path, null, null);
    }

    private int write(String verb, String method, String path, String contentType, String body) {
        URI uri = URI.create(server + path);
        for (int attempt = 0; ; attempt++) {
            try {
                limiter.acquire();
                HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                        .header("Accept", "application/json")
                        .timeout(Duration.ofSeconds(30));
                if (body == null) {
                    rb.method(method, HttpRequest.BodyPublishers.noBody());
                } else {
                    rb.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
                }
                authorize(rb);
                // The whole answer is read (a few KB): closing it half-read would reset the stream.
                HttpResponse<byte[]> r = sendWithDeadline(rb.build());
                counters.record(verb, r.statusCode());
                if (r.statusCode() / 100 == 2 || r.statusCode() == 404) {
                    return r.statusCode();
                }
                ApiException error = statusError(
                        r.statusCode(),
                        r.body(),
                        r.headers()
                                .firstValue("Retry-After")
                                .flatMap(KubeApi::parseSeconds)
                                .orElse(null));
                if (r.statusCode() == 429 && attempt < maxThrottledRetries) {
                    Duration wait = error.retryAfter().orElse(Duration.ofSeconds(1));
                    counters.recordThrottled();
                    limiter.pauseFor(wait);
                    Thread.sleep(
                            wait.plusMillis((long) (ThreadLocalRandom.current().nextDouble() * wait.toMillis())));
                    continue;
                }
                throw error;
            } catch (IOException e) {
                counters.record(verb, 0);
                throw new ApiException(verb + " " + path + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException("interrupted", e);
            }
        }
    }

    /**
     * Sends a write with a hard deadline of its own: the request timeout covers the wait for the
     * answer's headers, and a write that never returns would hold its caller (a launch slot) forever.
     */
    private HttpResponse<byte[]> sendWithDeadline(HttpRequest request) throws IOException, InterruptedException {
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> f =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return f.get(WRITE_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw new java.net.http.HttpTimeoutException("no answer within " + WRITE_DEADLINE.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    /**
     * Opens a long-running stream (a watch). The caller closes it. No read timeout: the server ends
     * a watch at its {@code timeoutSeconds}.
     */
    public InputStream openStream(String verb, String path, Map<String, String> query) {
        return open(verb, path, query, null);
    }

    private InputStream open(String verb, String path, Map<String, String> query, Duration timeout) {
        URI uri = URI.create(server + path + encode(query));
        for (int attempt = 0; ; attempt++) {
            try {
                limiter.acquire();
                HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                        .header("Accept", "application/json")
                        .GET();
                if (timeout != null) {
                    rb.timeout(timeout);
                }
                authorize(rb);
                HttpResponse<InputStream> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
                counters.record(verb, r.statusCode());
                if (r.statusCode() == 200) {
                    return r.body();
                }
                ApiException error = errorOf(r);
                if (r.statusCode() == 429 && attempt < maxThrottledRetries) {
                    Duration wait = error.retryAfter().orElse(Duration.ofSeconds(1));
                    counters.recordThrottled();
                    log.debug("429 on {} {}: waiting {} as the server asked", verb, path, wait);
                    limiter.pauseFor(wait); // everyone holds back at least that long ...
                    // ... and this request waits a random extra share, so the callers don't return as one herd.
                    Thread.sleep(
                            wait.plusMillis((long) (ThreadLocalRandom.current().nextDouble() * wait.toMillis())));
                    continue;
                }
                throw error;
            } catch (IOException e) {
                counters.record(verb, 0);
                throw new ApiException(verb + " " + path + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException("interrupted", e);
            }
        }
    }

    private void authorize(HttpRequest.Builder rb) {
        String token = config.getOauthTokenProvider() != null
                ? config.getOauthTokenProvider().getToken()
                : config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
        if (token != null && !token.isEmpty()) {
            rb.header("Authorization", "Bearer " + token);
        } else if (config.getUsername() != null && config.getPassword() != null) {
            String basic = config.getUsername() + ":" + config.getPassword();
            rb.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static ApiException errorOf(HttpResponse<InputStream> r) throws IOException {
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(64 * 1024);
        }
        Duration retryAfter = r.headers()
                .firstValue("Retry-After")
                .flatMap(KubeApi::parseSeconds)
                .orElse(null);
        return statusError(r.statusCode(), body, retryAfter);
    }

    static ApiException statusError(int code, byte[] body, Duration retryAfter) {
        String reason = "";
        String message = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode status = JSON.readTree(body);
            if (status != null && status.has("message")) {
                reason = status.path("reason").asText("");
                message = status.path("message").asText("");
                if (retryAfter == null && status.path("details").has("retryAfterSeconds")) {
                    retryAfter = Duration.ofSeconds(
                            status.path("details").path("retryAfterSeconds").asLong());
                }
            }
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body as the message
        }
        return new ApiException(code, reason, message, retryAfter);
    }

    private static java.util.Optional<Duration> parseSeconds(String v) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty(); // HTTP-date form: not used by kube-apiserver
        }
    }

    private static String encode(Map<String, String> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner j = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> {
            if (v != null) {
                j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return j.toString();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
        // Not close(): it waits for every open exchange, and a watch opened during a stop may never end.
        http.shutdownNow();
    }

    /** Decodes a response body as it streams in. */
    @FunctionalInterface
    public interface BodyReader<R> {
        R read(InputStream in) throws IOException;
    }

    /** Defaults: 50 QPS, burst 100 (client-go's are 5/10, too few for a task executor). */
    public static final class Builder {
        private final Config config;
        private double qps = 50;
        private int burst = 100;
        private int maxThrottledRetries = 10;

        private Builder(Config config) {
            this.config = config;
        }

        public Builder qps(double qps) {
            this.qps = qps;
            return this;
        }

        public Builder burst(int burst) {
            this.burst = burst;
            return this;
        }

        /** How many 429s in a row one request sits out before failing (default 10). */
        public Builder maxThrottledRetries(int n) {
            this.maxThrottledRetries = n;
            return this;
        }

        public KubeApi build() {
            return new KubeApi(this);
        }
    }
}
