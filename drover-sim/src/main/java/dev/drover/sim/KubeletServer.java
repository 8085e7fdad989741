package dev.drover.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS side of the simulated kubelets: {@code GET /containerLogs/<ns>/<pod>/<container>}, which
 * the apiserver proxies {@code pods/<p>/log} to, and {@code /healthz}. One server serves every node
 * of a simulator; each follow runs on its own virtual thread.
 */
final class KubeletServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubeletServer.class);
    private static final Duration FOLLOW_WAKEUP = Duration.ofMillis(500);
    private static final Duration FOLLOW_BATCH = Duration.ofMillis(5);

    private final Map<String, PodLogs> pods = new ConcurrentHashMap<>();
    private final HttpsServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    KubeletServer(int port) {
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(KubeletCertificate.sslContext()));
        server.createContext("/containerLogs/", this::containerLogs);
        server.createContext("/healthz", ex -> reply(ex, 200, "ok"));
        server.setExecutor(threads);
    }

    KubeletServer start() {
        server.start();
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    void register(String namespace, String pod, PodLogs logs) {
        pods.put(namespace + "/" + pod, logs);
    }

    /** Forgets a pod's logs, unless the name now belongs to a newer pod. */
    void unregister(String namespace, String pod, String uid) {
        pods.computeIfPresent(namespace + "/" + pod, (k, v) -> v.uid().equals(uid) ? null : v);
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }

    private void containerLogs(HttpExchange ex) throws IOException {
        try (ex) {
            String[] parts = ex.getRequestURI().getRawPath().split("/");
            // "", "containerLogs", ns, pod, container
            if (parts.length != 5 || !ex.getRequestMethod().equals("GET")) {
                reply(ex, 404, "404 page not found");
                return;
            }
            String ns = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
            String podName = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
            String name = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            PodLogs pod = pods.get(ns + "/" + podName);
            if (pod == null) {
                reply(ex, 404, "pod \"" + podName + "\" does not exist");
                return;
            }
            if (pod.nodeLost()) {
                reply(ex, 503, "the simulated kubelet of node \"" + pod.node() + "\" is gone");
                return;
            }
            if (!pod.answerDelay().isZero()) {
                sleep(pod.answerDelay()); // a slow kubelet
            }
            ContainerLog c = pod.container(name);
            if (c == null) {
                reply(ex, 404, "container \"" + name + "\" not found in pod \"" + podName + "\"");
                return;
            }
            Instant now = Instant.now();
            LogOptions opts = LogOptions.parse(ex.getRequestURI().getRawQuery(), now);
            if (opts.previous()) {
                reply(ex, 400, "previous terminated container \"" + name + "\" in pod \"" + podName + "\" not found");
                return;
            }
            if (!c.started()) {
                reply(
                        ex,
                        400,
                        "container \"" + name + "\" in pod \"" + podName + "\" is waiting to start: "
                                + c.waitingReason());
                return;
            }
            stream(ex, c, opts, now);
        } catch (IOException e) {
            log.debug("log request ended: {}", e.toString());
        }
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void stream(HttpExchange ex, ContainerLog c, LogOptions opts, Instant now) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, 0);
        // Lines are small; a buffer makes one chunk of many of them (flushed whenever caught up).
        OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 64 * 1024);
        long budget = opts.limitBytes() >= 0 ? opts.limitBytes() : Long.MAX_VALUE;
        int i = opts.firstLine(c, now);
        while (budget > 0) {
            now = Instant.now();
            boolean wrote = false;
            while (budget > 0 && c.written(i, now)) {
                if (opts.wanted(c, i)) {
                    byte[] bytes = opts.render(c, i).getBytes(StandardCharsets.UTF_8);
                    int n = (int) Math.min(bytes.length, budget);
                    out.write(bytes, 0, n);
                    budget -= n;
                    wrote = true;
                }
                i++;
            }
            if (wrote) {
                out.flush();
            }
            if (!opts.follow() || c.exhaustedFrom(i) || closed) {
                out.flush();
                return;
            }
            awaitLine(c, i);
        }
    }

    /**
     * Sleeps until line {@code i} is due or the container ends, waking now and then to notice a
     * close. Lines due microseconds apart (a big generated log) are sent in batches, not one by one.
     */
    private static void awaitLine(ContainerLog c, int i) throws IOException {
        long waitNanos = FOLLOW_WAKEUP.toNanos();
        if (i < c.size()) {
            long due = Duration.between(Instant.now(), c.lineTime(i)).toNanos();
            waitNanos = Math.min(waitNanos, Math.max(due, FOLLOW_BATCH.toNanos()));
        }
        if (waitNanos <= 0) {
            return;
        }
        try {
            c.finished().get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // due, or still running: the caller looks again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
