package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Request accounting for the executor benchmark, from the apiserver's side only.
 *
 * <ul>
 *   <li>{@code /metrics}: {@code apiserver_request_total} by verb, resource, subresource and code
 *       (namespaced pods and events), plus the watches open right now ({@code
 *       apiserver_longrunning_gauge}, since a WATCH is counted in the total only when it ends). This
 *       counts every client, the simulator included.
 *   <li>The audit log: the same requests attributed to a client by user agent, restricted to one
 *       namespace, so the simulator's writes (bindings, statuses, its own final DELETE) are not charged
 *       to the executor.
 * </ul>
 */
final class ExecutorApiCounts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One kind of request: verb as the source spells it, resource, subresource ("" for none), code. */
    record Key(String verb, String resource, String subresource, String code) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return resource + (subresource.isEmpty() ? "" : "/" + subresource) + " " + verb + " " + code;
        }
    }

    private ExecutorApiCounts() {}

    // --- /metrics ---

    /** Namespaced pod and event requests by key; open watches under code "open". */
    static Map<Key, Long> scrape(KubeHttp http) throws IOException, InterruptedException {
        return parseMetrics(http.getString("/metrics"));
    }

    static Map<Key, Long> parseMetrics(String text) {
        Map<Key, Long> out = new TreeMap<>();
        MetricsText.requests(text, s -> {
            String resource = s.label("resource");
            // Namespaced (collections: "namespace", named objects and creates: "resource") only: the
            // apiserver's own informers list and watch pods cluster-wide.
            String scope = s.label("scope");
            if (!(resource.equals("pods") || resource.equals("events"))
                    || !(scope.equals("namespace") || scope.equals("resource"))) {
                return;
            }
            String verb = s.labels().getOrDefault("verb", "?");
            String code = s.total() ? s.labels().getOrDefault("code", "?") : "open";
            out.merge(new Key(verb, resource, s.label("subresource"), code), s.value(), Long::sum);
        });
        return out;
    }

    /** after − before, keys with no change dropped; an open watch counts as one request. */
    static Map<Key, Long> delta(Map<Key, Long> before, Map<Key, Long> after) {
        Map<Key, Long> out = new TreeMap<>();
        for (Map.Entry<Key, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d != 0) {
                out.put(e.getKey(), d);
            }
        }
        for (Map.Entry<Key, Long> e : before.entrySet()) {
            if (!after.containsKey(e.getKey()) && e.getValue() != 0) {
                out.put(e.getKey(), -e.getValue());
            }
        }
        return out;
    }

    // --- audit log ---

    /** The audit log's size now: read from here after a phase to see only its requests. */
    static long auditOffset(Path auditLog) throws IOException {
        return Files.exists(auditLog) ? Files.size(auditLog) : 0;
    }

    /**
     * Requests in {@code namespace} written to the audit log after {@code offset}, by client (named by
     * {@code clientOf} from the user agent) and key. Verbs are the audit log's (create, get, list, watch,
     * patch, delete…); a watch counts when it starts, every other request when it completes. Each
     * completed request's time in the apiserver (stageTimestamp − requestReceivedTimestamp, µs
     * precision) goes under "client VERB resource[/subresource]" into {@code serverNanos}.
     */
    static Map<String, Map<Key, Long>> audit(
            Path auditLog,
            long offset,
            String namespace,
            Function<String, String> clientOf,
            Map<String, java.util.List<Long>> serverNanos)
            throws IOException {
        Map<String, Map<Key, Long>> out = new TreeMap<>();
        try (InputStream raw = Files.newInputStream(auditLog)) {
            raw.skipNBytes(offset);
            BufferedReader r = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8), 1 << 16);
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || !line.contains(namespace)) {
                    continue;
                }
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException partial) {
                    continue; // a line being written right now
                }
                JsonNode ref = e.path("objectRef");
                if (!namespace.equals(ref.path("namespace").asText())) {
                    continue;
                }
                String verb = e.path("verb").asText();
                String stage = e.path("stage").asText();
                boolean counts =
                        verb.equals("watch") ? stage.equals("ResponseStarted") : stage.equals("ResponseComplete");
                if (!counts) {
                    continue;
                }
                String code = e.path("responseStatus").path("code").asText("?");
                Key k = new Key(
                        verb.toUpperCase(Locale.ROOT),
                        ref.path("resource").asText(),
                        ref.path("subresource").asText(""),
                        code);
                String client = clientOf.apply(e.path("userAgent").asText(""));
                out.computeIfAbsent(client, c -> new TreeMap<>()).merge(k, 1L, Long::sum);
                if (!verb.equals("watch")) {
                    try {
                        long nanos = java.time.Duration.between(
                                        java.time.Instant.parse(e.path("requestReceivedTimestamp")
                                                .asText()),
                                        java.time.Instant.parse(
                                                e.path("stageTimestamp").asText()))
                                .toNanos();
                        String what = client + " " + k.verb() + " " + k.resource()
                                + (k.subresource().isEmpty() ? "" : "/" + k.subresource());
                        serverNanos
                                .computeIfAbsent(what, x -> new java.util.ArrayList<>())
                                .add(nanos);
                    } catch (RuntimeException badTime) {
                        // no timing for this one
                    }
                }
            }
        }
        return out;
    }

    /** Sum over keys that match verb (case-insensitive), resource and subresource, any code. */
    static long count(Map<Key, Long> counts, String verb, String resource, String subresource) {
        if (counts == null) {
            return 0;
        }
        return counts.entrySet().stream()
                .filter(e -> e.getKey().verb().equalsIgnoreCase(verb)
                        && e.getKey().resource().equals(resource)
                        && e.getKey().subresource().equals(subresource))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
