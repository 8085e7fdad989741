package dev.drover.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * List-then-watch of the pods of one namespace (or all), on its own virtual thread. A broken
 * connection resumes the watch from the last resourceVersion seen (bookmarks keep it fresh); 410
 * Gone, or a watch the apiserver refuses, starts over with a paginated list, handed to the sink as
 * a whole so it can forget pods deleted meanwhile.
 */
final class PodWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PodWatch.class);
    /**
     * A plain mapper reads fabric8's model classes fine and skips the per-property wrappers fabric8's
     * own serialization adds, which cost a third of the decoding at hundreds of events a second.
     */
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final int PAGE = 500;

    /** Where pods go; called on the watch thread, in order. */
    interface Sink {
        /** A fresh list of every pod in scope; pods not in it are gone. */
        void listed(String namespace, List<Pod> pods);

        void changed(Pod pod);

        void deleted(Pod pod);
    }

    private final HttpClient http;
    private final String base;
    private final String namespace;
    private final Sink sink;
    private final CompletableFuture<Void> firstList = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile InputStream current;
    private Thread thread;

    /** {@code namespace} null watches every namespace. */
    PodWatch(HttpClient http, String masterUrl, String namespace, Sink sink) {
        this.http = http;
        this.base = masterUrl.replaceAll("/+$", "");
        this.namespace = namespace;
        this.sink = sink;
    }

    PodWatch start() {
        thread = Thread.ofVirtual()
                .name("drover-sim-watch-" + (namespace == null ? "all" : namespace))
                .start(this::run);
        return this;
    }

    /** Completes after the first list reached the sink. */
    CompletableFuture<Void> firstList() {
        return firstList;
    }

    @Override
    public void close() {
        running = false;
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
        }
    }

    private String path() {
        return namespace == null ? "/api/v1/pods" : "/api/v1/namespaces/" + namespace + "/pods";
    }

    private void run() {
        String rv = null;
        int failures = 0;
        while (running) {
            try {
                if (rv == null) {
                    rv = list();
                    firstList.complete(null);
                }
                rv = watch(rv);
                failures = 0;
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                failures++;
                long backoff = Math.min(5_000, 100L << Math.min(failures, 6));
                backoff = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                log.info("pod watch of {} interrupted ({}); retrying in {} ms", scope(), e.toString(), backoff);
                try {
                    Thread.sleep(backoff); // back-off between reconnects, on this watch's own thread
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    private String list() throws Exception {
        List<Pod> pods = new ArrayList<>();
        String cont = null;
        while (true) {
            String url = base + path() + "?limit=" + PAGE
                    + (cont == null ? "" : "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8));
            HttpResponse<String> resp =
                    await(http.sendAsync(http.newHttpRequestBuilder().uri(url).build(), String.class));
            if (resp.code() == 410 && cont != null) {
                cont = null; // the continue token expired: start the list again
                pods.clear();
                continue;
            }
            if (!resp.isSuccessful()) {
                throw new IOException("list " + path() + " answered " + resp.code() + ": " + resp.body());
            }
            PodList page = JSON.readValue(resp.body(), PodList.class);
            pods.addAll(page.getItems());
            cont = page.getMetadata().getContinue();
            if (cont == null || cont.isEmpty()) {
                sink.listed(namespace, pods);
                return page.getMetadata().getResourceVersion();
            }
        }
    }

    /** Watches from {@code rv}; returns the resourceVersion to resume from, or null to relist. */
    private String watch(String rv) throws Exception {
        int timeout = 240 + ThreadLocalRandom.current().nextInt(120);
        String url = base + path() + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=" + timeout
                + "&resourceVersion=" + URLEncoder.encode(rv, StandardCharsets.UTF_8);
        HttpResponse<InputStream> resp = await(http.sendAsync(
                http.newHttpRequestBuilder().uri(url).forStreaming().build(), InputStream.class));
        if (resp.code() == 410) {
            return null;
        }
        if (!resp.isSuccessful()) {
            resp.body().close();
            throw new IOException("watch " + path() + " answered " + resp.code());
        }
        current = resp.body();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while (running && (line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (!line.startsWith("{\"type\":\"ERROR\"")) {
                    PodEvent event = JSON.readValue(line, PodEvent.class);
                    switch (event.type()) {
                        case "ADDED", "MODIFIED" -> sink.changed(event.object());
                        case "DELETED" -> sink.deleted(event.object());
                        default -> {
                            // BOOKMARK: only its resourceVersion matters
                        }
                    }
                    String next = event.object().getMetadata().getResourceVersion();
                    if (next != null && !next.isEmpty()) {
                        rv = next;
                    }
                    continue;
                }
                JsonNode status = JSON.readTree(line).path("object");
                int code = status.path("code").asInt();
                log.info(
                        "pod watch of {} ended with {}: {}",
                        scope(),
                        code,
                        status.path("message").asText());
                if (code == 410) {
                    return null;
                }
                throw new IOException("watch error " + code);
            }
        } finally {
            current = null;
        }
        return rv;
    }

    /** One line of a pod watch, decoded in one pass (ERROR lines, which carry a Status, are not). */
    record PodEvent(String type, Pod object) {}

    private String scope() {
        return namespace == null ? "all namespaces" : "namespace " + namespace;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }
}
