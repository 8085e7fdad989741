package dev.drover.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One watcher of {@code GET /api/v1/watch}: counts the change ids it gets (distinct and repeated)
 * and, per change, the lag from the change's {@code at} to the moment its {@code data:} line was
 * read. Lines are scanned, not decoded into trees: the clients share the server's JVM and cores, so
 * they are kept cheap.
 */
final class SseCounter implements AutoCloseable {
    private final BitSet seen = new BitSet();
    private long received;
    private long duplicates;
    private long outOfOrder;
    private long lastId = -1;
    private long[] lagMicros = new long[1024];
    private int lags;
    private volatile int status = -1;
    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile InputStream body;
    private volatile Thread reader;
    private volatile Throwable failure;
    private volatile boolean closing;

    /** Opens the stream; {@link #awaitOpen} waits for the server's first comment. */
    SseCounter(ServerApi api) {
        CompletableFuture<HttpResponse<InputStream>> f = api.http.sendAsync(
                api.request("/api/v1/watch")
                        .timeout(java.time.Duration.ofHours(2))
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        f.whenComplete((r, e) -> {
            if (e != null) {
                failure = e;
                opened.countDown();
                return;
            }
            status = r.statusCode();
            body = r.body();
            reader = Thread.ofVirtual().name("sse-client").start(this::read);
        });
    }

    boolean awaitOpen(long seconds) throws InterruptedException {
        return opened.await(seconds, TimeUnit.SECONDS) && status == 200 && failure == null;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            long id = -1;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(":")) {
                    opened.countDown(); // the server's first comment: the stream is open, from "now" on
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line, 4, line.length(), 10);
                } else if (line.startsWith("data: ")) {
                    long now = nowMicros();
                    record(id, now - atMicros(line));
                }
            }
        } catch (Exception e) {
            if (!closing) {
                failure = e; // the stream broke before the bench closed it
            }
        } finally {
            opened.countDown();
        }
    }

    private synchronized void record(long id, long lag) {
        received++;
        if (id >= 0 && id < Integer.MAX_VALUE) {
            if (seen.get((int) id)) {
                duplicates++;
            }
            seen.set((int) id);
        }
        if (id <= lastId) {
            outOfOrder++;
        }
        lastId = id;
        if (lags == lagMicros.length) {
            lagMicros = Arrays.copyOf(lagMicros, lags * 2);
        }
        lagMicros[lags++] = lag;
    }

    /** The change's {@code "at":"…"} as microseconds since the epoch. */
    private static long atMicros(String line) {
        int i = line.indexOf("\"at\":\"");
        if (i < 0) {
            return Long.MIN_VALUE;
        }
        int end = line.indexOf('"', i + 6);
        Instant at = Instant.parse(line.substring(i + 6, end));
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    synchronized long received() {
        return received;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long outOfOrder() {
        return outOfOrder;
    }

    /** How many of the ids {@code expected} this client never got. */
    synchronized long missing(BitSet expected) {
        BitSet m = (BitSet) expected.clone();
        m.andNot(seen);
        return m.cardinality();
    }

    /** Ids it got that were not expected (another task's, or none at all). */
    synchronized long unexpected(BitSet expected) {
        BitSet u = (BitSet) seen.clone();
        u.andNot(expected);
        return u.cardinality();
    }

    synchronized long[] lagsMicros() {
        return Arrays.copyOf(lagMicros, lags);
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        closing = true;
        try {
            InputStream b = body;
            if (b != null) {
                b.close();
            }
        } catch (Exception e) {
            // closing anyway
        }
        Thread r = reader;
        if (r != null) {
            r.interrupt();
        }
    }
}
