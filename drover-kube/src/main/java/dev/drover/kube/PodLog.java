package dev.drover.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's log, read through the apiserver ({@code GET pods/<p>/log}) as it streams, never
 * held whole in memory.
 *
 * <ul>
 *   <li>{@link #read}: one request, the bytes copied to the sink as they come.
 *   <li>{@link #follow}: {@code follow=true&timestamps=true}; the timestamps are cut off before
 *       the sink. When the connection drops (the body ends short, a 5xx, a refused connection) it
 *       backs off and asks again with {@code sinceTime=<last line's timestamp>} — the apiserver
 *       passes that on in whole seconds, so what was already delivered is skipped by timestamp and
 *       by count — until the answer ends normally: the container ended. A run of failed
 *       reconnects ({@link Builder#maxReconnects}) gives up with an {@link ApiException}.
 * </ul>
 *
 * Errors are {@link ApiException}s that say which log and why: 404 (no such pod), 400 (no such
 * container, or it is waiting to start: {@code ... is waiting to start: ContainerCreating}). A
 * failing sink's {@link IOException} is thrown as it is, and ends a follow.
 */
public final class PodLog {
    private static final Logger log = LoggerFactory.getLogger(PodLog.class);
    private static final int BUFFER = 8192;
    /** A connection open this long (even if the container said nothing) was a working one. */
    private static final Duration HEALTHY_AFTER = Duration.ofSeconds(10);

    private final KubeApi api;
    private final @Nullable Long tailLines;
    private final int maxReconnects;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private PodLog(Builder b) {
        this.api = b.api;
        this.tailLines = b.tailLines;
        this.maxReconnects = b.maxReconnects;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
    }

    public static Builder builder(KubeApi api) {
        return new Builder(api);
    }

    /** The whole log, copied to {@code out} as it streams; returns the bytes copied. */
    public long read(String namespace, String pod, @Nullable String container, OutputStream out) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        putContainer(query, container);
        if (tailLines != null) {
            query.put("tailLines", tailLines.toString());
        }
        InputStream in = open(namespace, pod, container, query);
        try {
            byte[] buf = new byte[BUFFER];
            long copied = 0;
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw lost(namespace, pod, container, "the connection broke after " + copied + " bytes", e);
                }
                if (n < 0) {
                    out.flush();
                    return copied;
                }
                out.write(buf, 0, n);
                copied += n;
            }
        } finally {
            closeQuietly(in);
        }
    }

    /**
     * Follows the log until the container ends, resuming after dropped connections without a line
     * lost or repeated; lines go to {@code out} without their timestamps, flushed as they arrive.
     * Returns the number of lines delivered.
     *
     * @throws ApiException the log cannot be read (see the class comment), or the connection could
     *     not be restored in {@link Builder#maxReconnects} tries in a row
     * @throws IOException from {@code out}
     * @throws InterruptedException the thread was interrupted (the connection is closed)
     */
    public long follow(String namespace, String pod, @Nullable String container, OutputStream out)
            throws IOException, InterruptedException {
        StampedLines lines = new StampedLines(out);
        Backoff backoff = newBackoff();
        int failures = 0;
        while (true) {
            Instant since = lines.lastTimestamp();
            Map<String, String> query = new LinkedHashMap<>();
            putContainer(query, container);
            query.put("follow", "true");
            query.put("timestamps", "true");
            if (since != null) {
                // RFC3339, whole seconds: what the apiserver passes to the kubelet anyway.
                query.put("sinceTime", DateTimeFormatter.ISO_INSTANT.format(since.truncatedTo(ChronoUnit.SECONDS)));
            } else if (tailLines != null) {
                query.put("tailLines", tailLines.toString());
            }
            String why;
            ApiException failure;
            long opened = 0; // when the answer began; 0 while it has not
            long deliveredBefore = lines.delivered();
            try {
                InputStream in = open(namespace, pod, container, query);
                opened = System.nanoTime();
                lines.resume();
                try {
                    byte[] buf = new byte[BUFFER];
                    while (true) {
                        int n;
                        try {
                            n = in.read(buf);
                        } catch (IOException e) {
                            throwIfInterrupted();
                            failure = lost(namespace, pod, container, "the connection dropped", e);
                            why = "connection dropped (" + e + ")";
                            break;
                        }
                        if (n < 0) {
                            // The server ended the answer: the container has ended.
                            lines.end();
                            out.flush();
                            return lines.lines();
                        }
                        lines.feed(buf, 0, n);
                        out.flush();
                    }
                } finally {
                    closeQuietly(in);
                }
            } catch (ApiException e) {
                throwIfInterrupted();
                if (!worthRetrying(e)) {
                    throw e;
                }
                failure = e;
                why = (e.code() == 0 ? "no answer" : "answered " + e.code()) + " (" + e.statusMessage() + ")";
            }
            boolean streamed = lines.delivered() > deliveredBefore
                    || (opened != 0 && System.nanoTime() - opened > HEALTHY_AFTER.toNanos());
            if (streamed) {
                failures = 0; // it streamed: a drop after that is a fresh start
                backoff = newBackoff();
            }
            failures++;
            if (failures > maxReconnects) {
                ApiException gaveUp = new ApiException(
                        failure.code(),
                        failure.reason(),
                        what(namespace, pod, container) + ": gave up after " + maxReconnects
                                + " reconnects in a row failed; last: " + failure.statusMessage(),
                        null);
                gaveUp.initCause(failure);
                throw gaveUp;
            }
            Duration wait = backoff.next();
            log.info(
                    "{}: {}; reconnecting in {} ms{}",
                    what(namespace, pod, container),
                    why,
                    wait.toMillis(),
                    lines.lastTimestamp() == null ? "" : " from " + lines.lastTimestamp());
            Thread.sleep(wait);
        }
    }

    private InputStream open(String namespace, String pod, @Nullable String container, Map<String, String> query) {
        String path = "/api/v1/namespaces/" + segment(namespace) + "/pods/" + segment(pod) + "/log";
        try {
            return api.openStream("log", path, query);
        } catch (ApiException e) {
            throw explain(e, namespace, pod, container);
        }
    }

    /** The apiserver's error, with which log it is about and, for the common cases, why in plain words. */
    private static ApiException explain(ApiException e, String namespace, String pod, @Nullable String container) {
        String said = e.statusMessage();
        String plain = switch (e.code()) {
            case 404 -> "not found";
            case 400 ->
                said.contains("is waiting to start")
                        ? "the container has not started yet"
                        : said.contains("is not valid for pod") || said.contains("not found in pod")
                                ? "the pod has no such container"
                                : said.contains("a container name must be specified")
                                        ? "the pod has several containers: name one"
                                        : "refused";
            default -> "";
        };
        if (plain.isEmpty()) {
            return e; // unreachable, 5xx, 403 ...: the apiserver's words suffice, and follow() may retry
        }
        ApiException explained = new ApiException(
                e.code(), e.reason(), what(namespace, pod, container) + ": " + plain + " (" + said + ")", null);
        explained.initCause(e);
        return explained;
    }

    private static boolean worthRetrying(ApiException e) {
        return e.code() == 0 || e.code() == 429 || e.code() >= 500;
    }

    private static ApiException lost(
            String namespace, String pod, @Nullable String container, String what, IOException e) {
        ApiException lost =
                new ApiException(0, "Unreachable", what(namespace, pod, container) + ": " + what + ": " + e, null);
        lost.initCause(e);
        return lost;
    }

    private static String what(String namespace, String pod, @Nullable String container) {
        return "log of pod " + namespace + "/" + pod + (container == null ? "" : " container " + container);
    }

    private static void putContainer(Map<String, String> query, @Nullable String container) {
        if (container != null) {
            query.put("container", container);
        }
    }

    private Backoff newBackoff() {
        return new Backoff(initialBackoff, maxBackoff, Duration.ofDays(365));
    }

    private static void throwIfInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("log follow interrupted");
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // a dropped connection may fail to close too
        }
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Defaults: the whole log, 5 reconnects in a row, backoff 200 ms doubling to 5 s. */
    public static final class Builder {
        private final KubeApi api;
        private @Nullable Long tailLines;
        private int maxReconnects = 5;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);

        private Builder(KubeApi api) {
            this.api = api;
        }

        /** Only the last {@code n} lines (of a follow: then what comes); default all. */
        public Builder tailLines(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("tailLines must be >= 0 (got " + n + ")");
            }
            this.tailLines = n;
            return this;
        }

        /**
         * How many reconnects in a row may fail (refused, a 5xx, or a connection that drops before
         * a byte arrives) before a follow gives up; default 5. A connection that streamed resets
         * the count.
         */
        public Builder maxReconnects(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxReconnects must be >= 0 (got " + n + ")");
            }
            this.maxReconnects = n;
            return this;
        }

        /** The pause before a reconnect: {@code initial}, doubling to {@code max}, with jitter. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "backoff: initial must be > 0 and max >= initial (got " + initial + ", " + max + ")");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public PodLog build() {
            return new PodLog(this);
        }
    }
}
