package dev.drover.kube;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * The watcher's seam answered from a script, for table tests of {@link ListWatcher#step}: each
 * list or watch takes the next answer in order, and every request is recorded as {@code "list
 * resourceVersion=0"} or {@code "watch watch=true&resourceVersion=10&…"}, exactly as its query
 * would go on the wire. Not a fake apiserver: it knows nothing of Kubernetes, it only replays.
 */
final class ScriptedApi implements ListWatcher.Api {
    private final Deque<Object> answers = new ArrayDeque<>();
    private final Deque<Optional<String>> probes = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private final FakeTicker ticker;
    private long lastAnswerNanos;

    ScriptedApi(FakeTicker ticker) {
        this.ticker = ticker;
        this.lastAnswerNanos = ticker.nanoTime();
    }

    // --- the script ---

    /** A list page at {@code rv} with these pod names (each at rv-1); {@code continueToken} null on the last page. */
    ScriptedApi page(String rv, @Nullable String continueToken, String... pods) {
        StringJoiner items = new StringJoiner(",");
        for (String p : pods) {
            items.add(pod(p, Long.toString(Long.parseLong(rv) - 1)));
        }
        String cont = continueToken == null ? "" : ",\"continue\":\"" + continueToken + "\"";
        answers.add(new Body("{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"" + cont
                + "},\"items\":[" + items + "]}"));
        return this;
    }

    /** The next request is refused with {@code code} and {@code reason}. */
    ScriptedApi refuse(int code, String reason) {
        answers.add(KubeApi.statusError(
                code,
                ("{\"kind\":\"Status\",\"code\":" + code + ",\"reason\":\"" + reason + "\",\"message\":\"" + reason
                                + " (scripted)\"}")
                        .getBytes(StandardCharsets.UTF_8),
                null));
        return this;
    }

    /** The next watch opens and sends {@code events}, then stays open (silent) until closed. */
    ScriptedStream stream(String... events) {
        ScriptedStream s = new ScriptedStream(events);
        answers.add(s);
        return s;
    }

    /** The next probes go unanswered, for these reasons; the ones after them are answered. */
    ScriptedApi unansweredProbes(String... reasons) {
        for (String r : reasons) {
            probes.add(Optional.of(r));
        }
        return this;
    }

    void answeredAt(long nanos) {
        lastAnswerNanos = nanos;
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    int probesMade;

    // --- the watcher's seam ---

    @Override
    public <R> R list(String path, Map<String, String> query, KubeApi.BodyReader<R> reader) {
        Object a = next("list", query);
        if (!(a instanceof Body b)) {
            return fail("a list got " + a + " from the script");
        }
        try {
            return reader.read(new ByteArrayInputStream(b.json().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream watch(String path, Map<String, String> query) {
        Object a = next("watch", query);
        if (!(a instanceof ScriptedStream s)) {
            return fail("a watch got " + a + " from the script");
        }
        return s;
    }

    @Override
    public long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    @Override
    public Optional<String> probe(Duration timeout) {
        probesMade++;
        Optional<String> r = probes.isEmpty() ? Optional.empty() : probes.poll();
        if (r.isEmpty()) {
            lastAnswerNanos = ticker.nanoTime();
        }
        return r;
    }

    private Object next(String verb, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&");
        query.forEach((k, v) -> q.add(k + "=" + v));
        requests.add(verb + " " + q);
        Object a = answers.poll();
        if (a == null) {
            return fail("the script has no answer left for " + requests.getLast());
        }
        if (a instanceof ApiException e) {
            throw e;
        }
        lastAnswerNanos = ticker.nanoTime();
        return a;
    }

    static String pod(String name, String rv) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"ns\",\"uid\":\"u-" + name
                + "\",\"resourceVersion\":\"" + rv + "\"}}";
    }

    static String added(String name, String rv) {
        return "{\"type\":\"ADDED\",\"object\":" + pod(name, rv) + "}";
    }

    static String bookmark(String rv) {
        return "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"" + rv
                + "\"}}}";
    }

    static String expired() {
        return "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\","
                + "\"message\":\"too old resource version\"}}";
    }

    /** What kube-apiserver 1.20 sends a watch from just before a change etcd compacted at exactly that change. */
    static String prevKvNil() {
        return "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500,\"reason\":\"InternalError\","
                + "\"message\":\"Internal error occurred: etcd event received with PrevKv=nil\"}}";
    }

    private record Body(String json) {}

    /** A watch body: the scripted lines, then open until {@link #end()} or close. */
    static final class ScriptedStream extends InputStream {
        private static final int END = -1;
        private final LinkedBlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        ScriptedStream(String... events) {
            for (String e : events) {
                for (byte b : (e + "\n").getBytes(StandardCharsets.UTF_8)) {
                    bytes.add(b & 0xff);
                }
            }
        }

        /** The server ends the watch (its timeoutSeconds). */
        ScriptedStream end() {
            bytes.add(END);
            return this;
        }

        boolean closed() {
            return closed;
        }

        @Override
        public int read() throws IOException {
            if (closed) {
                return END;
            }
            try {
                int b = bytes.take();
                if (b == END) {
                    bytes.add(END);
                }
                return b;
            } catch (InterruptedException e) {
                throw new IOException("closed", e);
            }
        }

        /** What has arrived, at least one byte: blocking for more would hold back the events already here. */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int first = read();
            if (first == END) {
                return END;
            }
            b[off] = (byte) first;
            int n = 1;
            Integer next;
            while (n < len && (next = bytes.peek()) != null && next != END) {
                b[off + n++] = (byte) (int) bytes.poll();
            }
            return n;
        }

        @Override
        public void close() {
            closed = true;
            bytes.add(END);
        }

        @Override
        public String toString() {
            return "a watch stream";
        }
    }

    /** Time that moves only when told to, or when the watcher sleeps. */
    static final class FakeTicker implements ListWatcher.Ticker {
        private long nanos = 1_000_000_000L;

        @Override
        public synchronized long nanoTime() {
            return nanos;
        }

        @Override
        public synchronized void sleep(Duration d) {
            nanos += d.toNanos();
        }

        synchronized void advance(Duration d) {
            nanos += d.toNanos();
        }
    }
}
