package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An independent observer of one namespace's pods: a plain watch (no selector, no drover-kube code)
 * that notes, per pod, the {@link System#nanoTime()} at which it first saw the pod exist, first saw
 * it in a terminal phase (Succeeded or Failed) and saw it deleted. These are the reference moments
 * the executor's own commits are measured against.
 */
final class ExecutorPodWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorPodWatch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TASK_ID_LABEL = "drover.dev/task-id";

    /** What the watch saw of one pod; times are nanoTime, 0 while not seen. */
    static final class PodSeen {
        volatile String taskId;
        volatile long added;
        volatile long terminal;
        volatile String terminalPhase;
        volatile long deleted;
    }

    private final KubeHttp http;
    private final String namespace;
    private final Map<String, PodSeen> pods = new ConcurrentHashMap<>();
    private final AtomicLong added = new AtomicLong();
    private final AtomicLong terminal = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile String resourceVersion;
    private volatile InputStream current;
    private volatile boolean closed;
    private volatile java.util.function.Consumer<String> onTerminal = name -> {};
    private Thread thread;

    ExecutorPodWatch(KubeHttp http, String namespace) {
        this.http = http;
        this.namespace = namespace;
    }

    /** Lists the namespace (for a resourceVersion) and opens the watch; returns once it is open. */
    ExecutorPodWatch start() throws Exception {
        JsonNode list = JSON.readTree(http.getString("/api/v1/namespaces/" + namespace + "/pods?limit=500"));
        resourceVersion = list.path("metadata").path("resourceVersion").asText();
        for (JsonNode pod : list.path("items")) {
            seen("ADDED", pod, System.nanoTime());
        }
        thread = Thread.ofPlatform()
                .daemon()
                .name("bench-pod-watch-" + namespace)
                .start(this::loop);
        if (!opened.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the benchmark's own pod watch did not open within 60 s");
        }
        return this;
    }

    private void loop() {
        while (!closed) {
            String path = "/api/v1/namespaces/" + namespace + "/pods?watch=1&allowWatchBookmarks=true"
                    + "&timeoutSeconds=3600&resourceVersion=" + resourceVersion;
            try (InputStream in = http.open(path)) {
                current = in;
                opened.countDown();
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
                String line;
                while ((line = r.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.isEmpty()) {
                        continue;
                    }
                    JsonNode e = JSON.readTree(line);
                    String type = e.path("type").asText();
                    JsonNode obj = e.path("object");
                    if (type.equals("ERROR")) {
                        // 410: events may have been missed; the figures of pods in the gap are left out.
                        gaps.incrementAndGet();
                        log.warn(
                                "benchmark pod watch: {}; relisting",
                                obj.path("message").asText());
                        resourceVersion = JSON.readTree(
                                        http.getString("/api/v1/namespaces/" + namespace + "/pods?limit=1"))
                                .path("metadata")
                                .path("resourceVersion")
                                .asText();
                        break;
                    }
                    String rv = obj.path("metadata").path("resourceVersion").asText(null);
                    if (rv != null) {
                        resourceVersion = rv;
                    }
                    if (!type.equals("BOOKMARK")) {
                        events.incrementAndGet();
                        seen(type, obj, now);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.debug("benchmark pod watch dropped: {}", e.toString());
                }
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                reconnects.incrementAndGet();
                opened.countDown();
            }
        }
    }

    private void seen(String type, JsonNode pod, long now) {
        JsonNode meta = pod.path("metadata");
        String name = meta.path("name").asText();
        PodSeen s = pods.computeIfAbsent(name, n -> new PodSeen());
        if (s.added == 0) {
            s.added = now;
            s.taskId = meta.path("labels").path(TASK_ID_LABEL).asText(null);
            added.incrementAndGet();
        }
        String phase = pod.path("status").path("phase").asText("");
        if (s.terminal == 0 && (phase.equals("Succeeded") || phase.equals("Failed"))) {
            s.terminal = now;
            s.terminalPhase = phase;
            terminal.incrementAndGet();
            onTerminal.accept(name);
        }
        if (type.equals("DELETED") && s.deleted == 0) {
            s.deleted = now;
            deleted.incrementAndGet();
        }
    }

    /** Told, on the watch thread, the name of each pod the first time it is seen in a terminal phase. */
    ExecutorPodWatch onTerminal(java.util.function.Consumer<String> listener) {
        this.onTerminal = listener;
        return this;
    }

    Map<String, PodSeen> pods() {
        return pods;
    }

    long added() {
        return added.get();
    }

    long terminal() {
        return terminal.get();
    }

    long deleted() {
        return deleted.get();
    }

    long events() {
        return events.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    long gaps() {
        return gaps.get();
    }

    @Override
    public void close() {
        closed = true;
        InputStream in = current;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
