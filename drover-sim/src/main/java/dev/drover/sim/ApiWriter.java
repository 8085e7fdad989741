package dev.drover.sim;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the simulator's requests to the apiserver asynchronously, at most {@code maxInFlight} at a
 * time (the JDK client multiplexes them over HTTP/2), and retries what a restart or overload
 * causes: connection errors, 429 and 5xx, with capped exponential back-off. Every other answer
 * goes back to the caller, which knows what a 404 or 409 means for its request.
 */
final class ApiWriter {
    private static final Logger log = LoggerFactory.getLogger(ApiWriter.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(3);

    private final HttpClient http;
    private final String base;
    private final ScheduledExecutorService timers;
    private final SimCounters counters;
    private final int maxInFlight;
    private final Duration giveUpAfter;
    private final Deque<Attempt> waiting = new ArrayDeque<>();
    private int inFlight;
    private volatile boolean closed;

    /** One request to the apiserver; {@code kind} names it in the counters ("status", "event", ...). */
    record Request(String kind, String method, String path, String contentType, String body) {
        static Request get(String kind, String path) {
            return new Request(kind, "GET", path, null, null);
        }
    }

    /** The apiserver's answer; {@code code} is -1 when the simulator gave up or is closing. */
    record Reply(int code, String body) {
        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    private final class Attempt {
        final Request request;
        final CompletableFuture<Reply> result = new CompletableFuture<>();
        final long deadline;
        int tries;

        Attempt(Request request) {
            this.request = request;
            this.deadline = System.nanoTime() + giveUpAfter.toNanos();
        }
    }

    ApiWriter(
            HttpClient http,
            String masterUrl,
            ScheduledExecutorService timers,
            SimCounters counters,
            int maxInFlight,
            Duration giveUpAfter) {
        this.http = http;
        this.base = masterUrl.endsWith("/") ? masterUrl.substring(0, masterUrl.length() - 1) : masterUrl;
        this.timers = timers;
        this.counters = counters;
        this.maxInFlight = maxInFlight;
        this.giveUpAfter = giveUpAfter;
    }

    CompletableFuture<Reply> submit(Request request) {
        Attempt a = new Attempt(request);
        if (closed) {
            a.result.complete(new Reply(-1, "simulator closed"));
        } else {
            enqueue(a);
        }
        return a.result;
    }

    void close() {
        closed = true;
        Deque<Attempt> dropped;
        synchronized (this) {
            dropped = new ArrayDeque<>(waiting);
            waiting.clear();
        }
        dropped.forEach(a -> a.result.complete(new Reply(-1, "simulator closed")));
    }

    private void enqueue(Attempt a) {
        synchronized (this) {
            if (inFlight >= maxInFlight) {
                waiting.add(a);
                return;
            }
            inFlight++;
        }
        send(a);
    }

    private void send(Attempt a) {
        a.tries++;
        Request r = a.request;
        HttpRequest.Builder b = http.newHttpRequestBuilder().uri(base + r.path());
        if (r.body() != null) {
            b.method(r.method(), r.contentType(), r.body());
        } else if (!r.method().equals("GET")) {
            b.method(r.method(), "application/json", "");
        }
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = http.sendAsync(b.build(), String.class);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((resp, error) -> {
            release();
            if (error == null && !retryable(resp.code())) {
                if (resp.isSuccessful() && !r.method().equals("GET")) {
                    counters.write(r.kind());
                }
                a.result.complete(new Reply(resp.code(), resp.body()));
                return;
            }
            String why = error != null ? String.valueOf(error) : "HTTP " + resp.code();
            retryLater(a, why, error == null ? retryAfter(resp) : null);
        });
    }

    private void retryLater(Attempt a, String why, Duration hint) {
        if (closed || System.nanoTime() > a.deadline) {
            if (!closed) {
                counters.failure();
                log.warn("giving up on {} {} after {} tries: {}", a.request.method(), a.request.path(), a.tries, why);
            }
            a.result.complete(new Reply(-1, why));
            return;
        }
        counters.retry();
        long backoff = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(a.tries - 1, 10));
        backoff = hint != null
                ? Math.max(hint.toMillis(), 50)
                : backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        log.debug("retrying {} {} in {} ms: {}", a.request.method(), a.request.path(), backoff, why);
        try {
            timers.schedule(() -> enqueue(a), backoff, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            a.result.complete(new Reply(-1, "simulator closed"));
        }
    }

    private void release() {
        Attempt next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        send(next);
    }

    private static boolean retryable(int code) {
        return code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
    }

    private static Duration retryAfter(HttpResponse<?> resp) {
        String h = resp.header("Retry-After");
        if (h == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(h.strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
