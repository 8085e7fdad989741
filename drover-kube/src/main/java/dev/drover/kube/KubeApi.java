package dev.drover.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to the apiserver: lists, watches and the few writes an executor makes, behind one
 * client-side rate limit (plus, per verb, any set with {@link Builder#verbRate}). Credentials and
 * TLS come from a fabric8 {@link Config} (kubeconfig, context, in-cluster).
 *
 * <p>Every request takes one path ({@link #send}): tokens from the buckets, the exchange, and on
 * 429 a pause of every caller of this client for the server's Retry-After (fabric8's own retry
 * computes it, then sleeps its plain backoff instead), then the request again. It also notes when
 * the server last answered anything, so a quiet watch can tell a calm namespace from a server that
 * stopped answering ({@link #probe}). A 401 with a token from a file ({@link InCluster}) reads the
 * file again and, when the token changed, sends the request once more.
 */
public final class KubeApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubeApi.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** How long a read (a list, a get) may wait for the answer's headers; its body then streams. */
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);
    /** How long opening a watch may wait for the answer's headers (the apiserver sends them at once). */
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
    /** Writes wait this long for their headers ... */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** ... and this long for the whole answer: a write that never returns would hold its caller forever. */
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(45);

    private final String server;
    private final Config config;
    private final HttpClient http;
    private final RateLimiter limiter;
    private final Map<String, RateLimiter> verbLimiters;
    private final int maxThrottledRetries;
    private final ApiCounters counters = new ApiCounters();
    private final KubeMetrics metrics;
    private volatile long lastAnswerNanos = System.nanoTime();
    private final AtomicReference<@Nullable CompletableFuture<Optional<String>>> probe = new AtomicReference<>();

    private KubeApi(Builder b) {
        this.config = b.config;
        this.server = stripSlash(b.config.getMasterUrl());
        this.limiter = new RateLimiter(b.qps, b.burst);
        Map<String, RateLimiter> perVerb = new LinkedHashMap<>();
        b.verbRates.forEach((verb, rate) -> perVerb.put(verb, new RateLimiter(rate.qps(), rate.burst())));
        this.verbLimiters = Map.copyOf(perVerb);
        this.maxThrottledRetries = b.maxThrottledRetries;
        this.metrics = b.meterRegistry == null ? KubeMetrics.none() : new KubeMetrics(b.meterRegistry);
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

    /** Requests made, by verb and status code, and the 429s sat out. */
    public ApiCounters counters() {
        return counters;
    }

    /** The meters of this client and of the informers on it ({@link Builder#meterRegistry}). */
    KubeMetrics metrics() {
        return metrics;
    }

    private void record(Call call, int code) {
        counters.record(call.verb(), code);
        metrics.request(call.verb(), call.path(), code);
    }

    /**
     * Reads a body (a list, or a get of one object: {@code verb} names it in the counters); the
     * caller decodes it while it streams in. Any answer but 2xx throws {@link ApiException}.
     */
    public <R> R get(String verb, String path, @Nullable Map<String, String> query, BodyReader<R> reader) {
        Call call = new Call(verb, "GET", path, query, null, null, READ_TIMEOUT, false, false);
        try (InputStream in = send(call).body()) {
            return reader.read(in);
        } catch (IOException e) {
            throw new ApiException(verb + " " + path + ": " + e, e);
        }
    }

    /**
     * Sends a JSON merge patch to {@code path} (e.g. a pod) and returns the status code: no read
     * before the write, unlike fabric8's patch, which GETs the object first. 404 is returned, not
     * thrown; other errors throw {@link ApiException}.
     */
    public int mergePatch(String path, String json) {
        return write(new Call(
                "patch", "PATCH", path, null, "application/merge-patch+json", json, WRITE_TIMEOUT, true, true));
    }

    /**
     * Sends a strategic merge patch (built-in kinds only): like {@link #mergePatch}, and it can
     * remove one entry of a list, e.g. {@code {"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}}},
     * leaving the others' entries alone.
     */
    public int strategicMergePatch(String path, String json) {
        return write(new Call(
                "patch",
                "PATCH",
                path,
                null,
                "application/strategic-merge-patch+json",
                json,
                WRITE_TIMEOUT,
                true,
                true));
    }

    /**
     * Creates an object: POSTs {@code json} to the collection at {@code path}. Returns the status
     * code (2xx, or 404 when the namespace does not exist); the answer's body is not read. Other
     * errors throw {@link ApiException}, whose {@code code()} tells e.g. 409 AlreadyExists or 422.
     */
    public int create(String path, String json) {
        return write(new Call("create", "POST", path, null, "application/json", json, WRITE_TIMEOUT, true, true));
    }

    /**
     * POSTs {@code json} and reads the answer's body, for requests whose answer is the result (a
     * TokenReview, a SubjectAccessReview). Any answer but 2xx throws {@link ApiException}.
     */
    public <R> R post(String verb, String path, String json, BodyReader<R> reader) {
        Call call = new Call(verb, "POST", path, null, "application/json", json, WRITE_TIMEOUT, false, false);
        try (InputStream in = send(call).body()) {
            return reader.read(in);
        } catch (IOException e) {
            throw new ApiException(verb + " " + path + ": " + e, e);
        }
    }

    /** Deletes the object at {@code path} with its default grace period; 404 is returned, not thrown. */
    public int delete(String path) {
        return write(new Call("delete", "DELETE", path, null, null, null, WRITE_TIMEOUT, true, true));
    }

    /**
     * Deletes with {@code DeleteOptions} (e.g. {@code {"preconditions":{"resourceVersion":"42"}}}:
     * only if the object has not changed since it was read; a 409 then throws {@link ApiException}).
     */
    public int delete(String path, String deleteOptionsJson) {
        return write(new Call(
                "delete", "DELETE", path, null, "application/json", deleteOptionsJson, WRITE_TIMEOUT, true, true));
    }

    private int write(Call call) {
        // The whole answer was read (a few KB): closing it half-read would reset the stream.
        return send(call).code();
    }

    /**
     * Opens a long-running stream (a watch, a followed log). The caller closes it. The server ends
     * a watch at its {@code timeoutSeconds}; reading the body has no timeout of ours, and a body
     * that breaks is the caller's to resume (only the opening is retried, on 429).
     */
    InputStream openStream(String verb, String path, Map<String, String> query) {
        return send(new Call(verb, "GET", path, query, null, null, OPEN_TIMEOUT, false, false))
                .body();
    }

    /** {@link System#nanoTime()} when the server last answered this client: headers or body bytes of any request. */
    long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    /**
     * Asks the server something cheap ({@code GET /version}, allowed to every authenticated user)
     * and waits at most {@code timeout}: empty if it answered (any status: even a 429 is an answer),
     * else why not, e.g. {@code "timed out after 5 s"}. Concurrent callers share one request.
     * Bypasses the rate limits: it asks whether the server answers at all.
     */
    Optional<String> probe(Duration timeout) throws InterruptedException {
        CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<String>> running = probe.compareAndExchange(null, mine);
        if (running != null) {
            return awaitProbe(running);
        }
        try {
            // Unbuffered, and closed unread: the headers are the answer.
            Call call = new Call("probe", "GET", "/version", null, null, null, timeout, false, true);
            try {
                Answer a = exchange(call, token());
                a.body().close();
                record(call, a.code());
                mine.complete(Optional.empty());
            } catch (IOException e) {
                record(call, 0);
                mine.complete(Optional.of(unanswered(e, timeout)));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            }
        } finally {
            probe.set(null);
        }
        return awaitProbe(mine);
    }

    private static Optional<String> awaitProbe(CompletableFuture<Optional<String>> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause()));
        }
    }

    private static String unanswered(IOException e, Duration timeout) {
        if (e instanceof HttpTimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms";
        }
        if (e instanceof ConnectException) {
            return "cannot connect (" + e.getMessage() + ")";
        }
        return e.toString();
    }

    /**
     * The one request path: takes tokens (the verb's own bucket, then the shared one), sends, and on
     * 429 pauses every caller for the server's Retry-After and tries again. Returns the answer when
     * it is 2xx (or 404, for a call that counts it as an answer); throws {@link ApiException} else.
     */
    private Answer send(Call call) {
        RateLimiter own = verbLimiters.get(call.verb());
        boolean reauthorized = false;
        for (int attempt = 0; ; attempt++) {
            try {
                if (own != null) {
                    own.acquire();
                }
                limiter.acquire();
                String token = token();
                Answer a = exchange(call, token);
                record(call, a.code());
                if (a.code() / 100 == 2 || (a.code() == 404 && call.notFoundIsAnAnswer())) {
                    return a;
                }
                ApiException error = errorOf(a);
                if (a.code() == 401 && !reauthorized && tokenChangedSince(token)) {
                    // A rotated token (the file changed since we last read it): once more with the new one.
                    reauthorized = true;
                    log.info("401 on {} {}: retrying once with the token read again", call.verb(), call.path());
                    continue;
                }
                if (a.code() == 429 && attempt < maxThrottledRetries) {
                    Duration wait = error.retryAfter().orElse(Duration.ofSeconds(1));
                    counters.recordThrottled();
                    metrics.throttled(call.verb());
                    log.debug("429 on {} {}: waiting {} as the server asked", call.verb(), call.path(), wait);
                    limiter.pauseFor(wait); // everyone holds back at least that long ...
                    // ... and this request waits a random extra share, so the callers don't return as one herd.
                    Thread.sleep(
                            wait.plusMillis((long) (ThreadLocalRandom.current().nextDouble() * wait.toMillis())));
                    continue;
                }
                throw error;
            } catch (IOException e) {
                record(call, 0);
                throw new ApiException(call.verb() + " " + call.path() + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException("interrupted", e);
            }
        }
    }

    /** One exchange, no retry, with bearer {@code token} if not null; notes the answer's arrival. */
    private Answer exchange(Call call, @Nullable String token) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(server + call.path() + encode(call.query())))
                .header("Accept", "application/json")
                .timeout(call.timeout());
        if (call.body() == null) {
            rb.method(call.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            rb.header("Content-Type", String.valueOf(call.contentType()))
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body()));
        }
        authorize(rb, token);
        if (call.buffered()) {
            HttpResponse<byte[]> r = sendWithDeadline(rb.build());
            answered();
            return new Answer(r.statusCode(), r.headers(), new ByteArrayInputStream(r.body()));
        }
        HttpResponse<InputStream> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        answered();
        return new Answer(r.statusCode(), r.headers(), new AnswerStream(r.body()));
    }

    /**
     * Sends with a hard deadline for the whole answer: the request timeout covers only the wait for
     * the answer's headers.
     */
    private HttpResponse<byte[]> sendWithDeadline(HttpRequest request) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return f.get(WRITE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new HttpTimeoutException("no answer within " + WRITE_DEADLINE.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private void answered() {
        lastAnswerNanos = System.nanoTime();
    }

    /** The bearer token to send now: the provider's (e.g. a rotating {@link TokenFile}), else the config's. */
    private @Nullable String token() {
        return config.getOauthTokenProvider() != null
                ? config.getOauthTokenProvider().getToken()
                : config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
    }

    /**
     * After a 401: reads a token file again and tells whether the token now differs from {@code
     * sent} (another request may have read the new one already). A token that did not change is not
     * worth a second try.
     */
    private boolean tokenChangedSince(@Nullable String sent) {
        if (config.getOauthTokenProvider() instanceof TokenFile file) {
            file.reload();
            return !file.getToken().equals(sent);
        }
        return false;
    }

    private void authorize(HttpRequest.Builder rb, @Nullable String token) {
        if (token != null && !token.isEmpty()) {
            rb.header("Authorization", "Bearer " + token);
        } else if (config.getUsername() != null && config.getPassword() != null) {
            String basic = config.getUsername() + ":" + config.getPassword();
            rb.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static ApiException errorOf(Answer a) throws IOException {
        byte[] body;
        try (InputStream in = a.body()) {
            body = in.readNBytes(64 * 1024);
        }
        Duration retryAfter = a.headers()
                .firstValue("Retry-After")
                .flatMap(KubeApi::parseSeconds)
                .orElse(null);
        return statusError(a.code(), body, retryAfter);
    }

    static ApiException statusError(int code, byte[] body, @Nullable Duration retryAfter) {
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

    private static Optional<Duration> parseSeconds(String v) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty(); // HTTP-date form: not used by kube-apiserver
        }
    }

    private static String encode(@Nullable Map<String, String> query) {
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

    /**
     * One request: its verb (for the counters and the verb's bucket), how long to wait for the
     * headers, whether the answer is read whole at once ({@code buffered}, under a deadline), and
     * whether a 404 is an answer rather than an error.
     */
    private record Call(
            String verb,
            String method,
            String path,
            @Nullable Map<String, String> query,
            @Nullable String contentType,
            @Nullable String body,
            Duration timeout,
            boolean buffered,
            boolean notFoundIsAnAnswer) {}

    private record Answer(int code, HttpHeaders headers, InputStream body) {}

    /** A streamed body whose every read notes that the server is answering. */
    private final class AnswerStream extends FilterInputStream {
        AnswerStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            answered();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            answered();
            return n;
        }
    }

    /** Defaults: 50 QPS, burst 100 (client-go's are 5/10, too few for a task executor). */
    public static final class Builder {
        private final Config config;
        private double qps = 50;
        private int burst = 100;
        private int maxThrottledRetries = 10;
        private final Map<String, VerbRate> verbRates = new LinkedHashMap<>();
        private @Nullable MeterRegistry meterRegistry;

        private Builder(Config config) {
            this.config = config;
        }

        /** Requests a second, all verbs together (default 50). */
        public Builder qps(double qps) {
            if (!(qps > 0)) {
                throw new IllegalArgumentException("qps must be > 0 (got " + qps + ")");
            }
            this.qps = qps;
            return this;
        }

        /** How many requests may go out at once after a quiet spell (default 100). */
        public Builder burst(int burst) {
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1 (got " + burst + ")");
            }
            this.burst = burst;
            return this;
        }

        /**
         * A client-side limit of one verb's own, e.g. {@code verbRate("create", 20, 20)} for a
         * launch rate: a request of that verb takes a token from this bucket as well as from the
         * shared one. Verbs as the counters name them: {@code list}, {@code watch}, {@code get},
         * {@code create}, {@code patch}, {@code delete}.
         */
        public Builder verbRate(String verb, double qps, int burst) {
            if (verb == null || verb.isBlank()) {
                throw new IllegalArgumentException("verbRate: the verb is empty; name one, e.g. \"create\"");
            }
            if (!(qps > 0) || burst < 1) {
                throw new IllegalArgumentException("verbRate(" + verb
                        + "): qps must be > 0 and burst at least 1 (got qps=" + qps + ", burst=" + burst + ")");
            }
            verbRates.put(verb, new VerbRate(qps, burst));
            return this;
        }

        /** How many 429s in a row one request sits out before failing (default 10). */
        public Builder maxThrottledRetries(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxThrottledRetries must be >= 0 (got " + n + ")");
            }
            this.maxThrottledRetries = n;
            return this;
        }

        /**
         * Where this client's and its informers' meters go (requests by verb, resource and code,
         * 429s, lists by cause, 410s, watch events; see the README's "Metrics"). Default: none
         * (the meters are no-ops).
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = java.util.Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        public KubeApi build() {
            return new KubeApi(this);
        }

        private record VerbRate(double qps, int burst) {}
    }
}
