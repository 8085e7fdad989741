package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.testkit.TestGround;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The churn's request counts from the apiserver's audit log: each client's pod lists and watches by
 * user agent (every page counts), with the answers other than 200. A watch cut off by the apiserver's
 * shutdown never reaches the log, so watch counts here are low.
 */
final class ChurnAudit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChurnAudit() {}

    /** Pod list/watch requests per user agent (and their non-200 answers), from the audit log. */
    static Map<String, Map<String, Long>> byUserAgent(TestGround ground) throws IOException {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        if (!Files.exists(ground.auditLog())) {
            return out;
        }
        // One line per request and stage; a watch refused at once (410) has no ResponseStarted stage.
        Map<String, String[]> requests = new HashMap<>(); // auditID -> {userAgent, verb, code}
        try (BufferedReader r = Files.newBufferedReader(ground.auditLog())) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException torn) {
                    continue; // a line cut by a restart
                }
                String verb = e.path("verb").asText();
                if (!"pods".equals(e.path("objectRef").path("resource").asText())
                        || !e.path("objectRef").path("subresource").isMissingNode()
                        || !(verb.equals("list") || verb.equals("watch"))
                        || e.path("objectRef").path("namespace").isMissingNode()) {
                    continue;
                }
                String[] req = requests.computeIfAbsent(e.path("auditID").asText(), k ->
                        new String[] {e.path("userAgent").asText("?"), verb, "0"});
                int code = e.path("responseStatus").path("code").asInt(0);
                if (code != 0) {
                    req[2] = Integer.toString(code);
                }
            }
        }
        for (String[] req : requests.values()) {
            Map<String, Long> m = out.computeIfAbsent(req[0], k -> new TreeMap<>());
            m.merge(req[1], 1L, Long::sum);
            if (!req[2].equals("200") && !req[2].equals("0")) {
                m.merge(req[1] + " " + req[2], 1L, Long::sum);
            }
        }
        return out;
    }

    /** The counts of the first user agent that starts with {@code prefix}; empty when there is none. */
    static Map<String, Long> countsOf(Map<String, Map<String, Long>> audit, String prefix) {
        return audit.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .findFirst()
                .map(Map.Entry::getValue)
                .orElse(Map.of());
    }
}
