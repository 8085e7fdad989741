package dev.drover.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.drover.core.Drover;
import dev.drover.core.TaskLogs;
import dev.drover.core.store.TaskStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drover's HTTP face: the REST API under {@code /api/v1}, the Server-Sent Events watch, probes,
 * metrics and the dashboard, over one {@link Drover} (a replica that schedules, or one that only
 * serves) and its store. Every request runs on a virtual thread.
 *
 * <pre>{@code
 * DroverServer server = DroverServer.builder(drover, store).port(8080).authenticator(TokenFile.read(path)).build().start();
 * }</pre>
 */
public final class DroverServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DroverServer.class);

    static {
        // The JDK's HttpServer leaves Nagle's algorithm on unless told: an answer written as headers then
        // body waits for the client's delayed ACK (~40 ms on Linux) — a 26 KB list page took 50 ms
        // instead of 4 (drover-bench server). Read once, when its first server is made; a -D wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The default limit on a request body: a batch of some thousands of tasks. */
    public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;

    private final Builder settings;
    private final Router router;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ChangeFeed feed;
    private final java.util.concurrent.ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("server-chores").factory());

    private DroverServer(Builder b) throws IOException {
        this.settings = b;
        this.feed = new ChangeFeed(storeChanges(b.store), b.watchPoll, java.time.Duration.ofSeconds(2), 10_000);
        this.router = Routes.of(b, feed);
        InetSocketAddress at = new InetSocketAddress(b.host, b.port);
        if (b.tls != null) {
            HttpsServer s = HttpsServer.create(at, 0);
            s.setHttpsConfigurator(new HttpsConfigurator(b.tls));
            this.http = s;
        } else {
            this.http = HttpServer.create(at, 0);
        }
        http.setExecutor(threads);
        http.createContext("/", this::handle);
    }

    public static Builder builder(Drover drover, TaskStore store) {
        return new Builder(drover, store);
    }

    public DroverServer start() {
        feed.start();
        if (!settings.readOnly) {
            // Idempotency keys are kept a day; any replica may drop older ones.
            chores.scheduleWithFixedDelay(this::expireKeys, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
        }
        http.start();
        log.info("serving on {}", url());
        return this;
    }

    /** The port it listens on (the one picked when 0 was asked for). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http(s)://host:port}. */
    public String url() {
        String host = http.getAddress().getAddress().isAnyLocalAddress()
                ? "127.0.0.1"
                : http.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (settings.tls != null ? "https" : "http") + "://" + host + ":" + port();
    }

    @Override
    public void close() {
        http.stop(0);
        chores.shutdownNow();
        feed.close();
        threads.shutdownNow();
    }

    private void expireKeys() {
        try {
            int n = settings.store.expireSubmissions(java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
            if (n > 0) {
                log.info("dropped {} idempotency keys older than a day", n);
            }
        } catch (RuntimeException e) {
            log.warn("dropping old idempotency keys failed: {}", e.toString());
        }
    }

    private static ChangeFeed.Source storeChanges(TaskStore store) {
        return new ChangeFeed.Source() {
            @Override
            public java.util.List<Change> after(long id, int limit) {
                return store.changesAfter(id, limit).stream()
                        .map(c -> Change.of(
                                c.id(),
                                c.taskId(),
                                c.taskName(),
                                c.namespace(),
                                c.tryNumber(),
                                c.from(),
                                c.to(),
                                c.at(),
                                c.reason()))
                        .toList();
            }

            @Override
            public long lastId() {
                return store.lastChangeId();
            }
        };
    }

    private void handle(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        Call call = null;
        try {
            Router.Match m = router.find(exchange.getRequestMethod(), path);
            Principal who = authorize(exchange, m.route());
            call = new Call(exchange, m.params(), who, settings.maxBodyBytes);
            m.route().handler().handle(call);
        } catch (Problem p) {
            answer(exchange, call, p);
        } catch (UncheckedIOException | IOException e) {
            log.debug("{} {}: the connection broke: {}", exchange.getRequestMethod(), path, e.toString());
        } catch (Exception e) {
            log.error("{} {} failed", exchange.getRequestMethod(), path, e);
            answer(
                    exchange,
                    call,
                    new Problem(500, "Internal Server Error", "the server failed: " + e, null, "see the server's log"));
        } finally {
            exchange.close();
        }
    }

    private void answer(HttpExchange exchange, @Nullable Call call, Problem p) {
        Call c = call != null ? call : new Call(exchange, java.util.Map.of(), Principal.ANONYMOUS, 0);
        if (c.answered()) {
            return; // a stream broke midway: its status is sent already
        }
        try {
            c.problem(p);
        } catch (IOException e) {
            log.debug("could not answer {}: {}", exchange.getRequestURI(), e.toString());
        }
    }

    /** The caller, if the route lets them in: 401 without a known token, 403 without the role. */
    private Principal authorize(HttpExchange exchange, Router.Route route) {
        if (route.role() == null || settings.authenticator == null) {
            return Principal.ANONYMOUS;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw new Problem(
                            401,
                            "Unauthorized",
                            "this route needs a bearer token",
                            "Authorization",
                            "send Authorization: Bearer <token> (from the server's --token-file, or a Kubernetes"
                                    + " token when it delegates to TokenReview)")
                    .header("WWW-Authenticate", "Bearer realm=\"drover\"");
        }
        Optional<Principal> who;
        try {
            who = settings.authenticator.authenticate(header.substring(7).strip());
        } catch (RuntimeException e) {
            log.warn("the authenticator failed: {}", e.toString());
            throw new Problem(
                    503, "Service Unavailable", "the token could not be checked: " + e.getMessage(), null, "try again");
        }
        Principal p = who.orElseThrow(() -> new Problem(
                        401, "Unauthorized", "the bearer token is not known", "Authorization", "use a valid token")
                .header("WWW-Authenticate", "Bearer realm=\"drover\", error=\"invalid_token\""));
        if (!p.role().allows(route.role())) {
            throw new Problem(
                    403,
                    "Forbidden",
                    p.name() + " has role " + p.role() + "; " + route.method() + " " + route.template() + " needs "
                            + route.role(),
                    null,
                    "ask an admin for a token with role " + route.role());
        }
        return p;
    }

    Router router() {
        return router;
    }

    /** Defaults: port 8080 on every address, authentication required, 4 MiB bodies. */
    public static final class Builder {
        final Drover drover;
        final TaskStore store;
        String host = "0.0.0.0";
        int port = 8080;

        @Nullable
        Authenticator authenticator;

        boolean noAuth;
        boolean readOnly;
        long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        @Nullable
        SSLContext tls;

        @Nullable
        PrometheusMeterRegistry metrics;

        @Nullable
        TaskLogs logs;

        java.time.Duration watchPoll = java.time.Duration.ofMillis(250);

        private Builder(Drover drover, TaskStore store) {
            this.drover = Objects.requireNonNull(drover, "drover");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The address to listen on (default every address; without authentication: loopback only). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 picks a free port ({@link #port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535 (got " + port + ")");
            }
            this.port = port;
            return this;
        }

        public Builder authenticator(Authenticator a) {
            this.authenticator = a;
            return this;
        }

        /**
         * No authentication: every caller is an admin. Allowed only on a loopback address, so it
         * takes this explicit call.
         */
        public Builder withoutAuthentication() {
            this.noAuth = true;
            return this;
        }

        /** Serves reads only: submits and cancels answer 405. */
        public Builder readOnly(boolean on) {
            this.readOnly = on;
            return this;
        }

        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024 (got " + bytes + ")");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** Serves HTTPS with this context (e.g. from {@link Tls#fromPem}). */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Serves this registry at {@code /metrics}. */
        public Builder metrics(PrometheusMeterRegistry registry) {
            this.metrics = registry;
            return this;
        }

        /** Where task logs are read (default: the store's archive, else the task's pod through the Drover). */
        public Builder logs(TaskLogs logs) {
            this.logs = logs;
            return this;
        }

        /** How often the watch reads the store's changes (default 250 ms): the watch's latency, one query per server. */
        public Builder watchPoll(java.time.Duration every) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("watchPoll must be positive (got " + every + ")");
            }
            this.watchPoll = every;
            return this;
        }

        public DroverServer build() {
            if (authenticator == null && !noAuth) {
                throw new IllegalArgumentException(
                        "no authenticator: give a token file (--token-file) or TokenReview, or run without"
                                + " authentication explicitly (--no-auth, loopback only)");
            }
            if (authenticator != null && noAuth) {
                throw new IllegalArgumentException("an authenticator and no authentication at once: choose one");
            }
            if (noAuth) {
                try {
                    if (!InetAddress.getByName(host).isLoopbackAddress()) {
                        throw new IllegalArgumentException("without authentication the server listens on loopback"
                                + " only; host " + host + " is not (use 127.0.0.1, or give a --token-file)");
                    }
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalArgumentException("host " + host + ": unknown", e);
                }
            }
            try {
                return new DroverServer(this);
            } catch (java.net.BindException e) {
                throw new IllegalArgumentException("port " + port + " on " + host + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
