package dev.drover.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The apiserver's own record of requests (a ground built with {@code auditLog(true)}), read back:
 * an account of what clients did that does not depend on the clients' word. Pod patches carry their
 * body ({@code requestObject}), so a relabel can be told from a done label.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {}

    /** One request as the apiserver answered it (the ResponseComplete stage). */
    public record Entry(
            String verb,
            String user,
            @Nullable String namespace,
            @Nullable String resource,
            @Nullable String subresource,
            @Nullable String name,
            int code,
            String requestUri,
            Instant at,
            @Nullable JsonNode requestObject) {

        /** A patch of a pod that sets (or changes) its label {@code key}. */
        public boolean patchesLabel(String key) {
            return verb.equals("patch")
                    && "pods".equals(resource)
                    && subresource == null
                    && requestObject != null
                    && requestObject.path("metadata").path("labels").has(key);
        }
    }

    /** Every answered request in {@code namespace} (and, for null, every one), in the order logged. */
    public static List<Entry> read(TestGround ground, @Nullable String namespace) {
        return read(ground.auditLog(), e -> namespace == null || namespace.equals(e.namespace()));
    }

    public static List<Entry> read(Path file, Predicate<Entry> keep) {
        List<Entry> out = new ArrayList<>();
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(line -> {
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    return; // a line being written as we read
                }
                if (!"ResponseComplete".equals(n.path("stage").asText())) {
                    return;
                }
                JsonNode ref = n.path("objectRef");
                Entry e = new Entry(
                        n.path("verb").asText(),
                        n.path("user").path("username").asText(),
                        text(ref, "namespace"),
                        text(ref, "resource"),
                        text(ref, "subresource"),
                        text(ref, "name"),
                        n.path("responseStatus").path("code").asInt(),
                        n.path("requestURI").asText(),
                        Instant.parse(n.path("stageTimestamp").asText()),
                        n.has("requestObject") ? n.get("requestObject") : null);
                if (keep.test(e)) {
                    out.add(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static @Nullable String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
