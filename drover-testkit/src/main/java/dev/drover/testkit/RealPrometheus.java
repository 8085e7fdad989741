package dev.drover.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, 2.42) that scrapes one target
 * every second, for tests of a {@code /metrics} endpoint: what it parses and how PromQL reads it,
 * not what a text comparison would say.
 *
 * <pre>{@code
 * try (RealPrometheus prometheus = RealPrometheus.scraping("127.0.0.1:8080", "/metrics")) {
 *     await().until(() -> prometheus.value("drover_tasks_submitted_total") == 3);
 * }
 * }</pre>
 *
 * <p>It listens on a free loopback port, keeps its TSDB in a temp directory (deleted on close),
 * and runs under the test ground's watchdog, so it never outlives the JVM.
 */
public final class RealPrometheus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealPrometheus.class);
    /** Where Debian's package puts the server. */
    public static final Path BINARY = Path.of("/usr/bin/prometheus");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Path dir;
    private final ChildProcess process;
    private final URI url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One series sample of a query's answer: its labels and value. */
    public record Sample(Map<String, String> labels, double value) {}

    private RealPrometheus(Path dir, ChildProcess process, URI url) {
        this.dir = dir;
        this.process = process;
        this.url = url;
    }

    /**
     * Starts Prometheus scraping {@code target} ({@code host:port}) at {@code metricsPath} every
     * second, and waits until it is ready. Throws {@link IllegalStateException} naming the fix when
     * Prometheus is not installed, and with the tail of its log when it does not start.
     */
    public static RealPrometheus scraping(String target, String metricsPath) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " not found: install Debian's prometheus package"
                    + " (apt-get install --no-install-recommends prometheus; bin/test does it)");
        }
        Path dir = Files.createTempDirectory("drover-prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: drover
                    metrics_path: %s
                    static_configs:
                      - targets: ['%s']
                """.formatted(metricsPath, target));
        int port = freePort();
        ChildProcess p = ChildProcess.start(
                "prometheus",
                List.of(
                        BINARY.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port),
                dir.resolve("run"),
                dir.resolve("prometheus.log"),
                false);
        RealPrometheus prometheus = new RealPrometheus(dir, p, URI.create("http://127.0.0.1:" + port));
        try {
            prometheus.awaitReady();
        } catch (RuntimeException e) {
            prometheus.close();
            throw e;
        }
        log.info("prometheus on {} scraping {}{}", prometheus.url, target, metricsPath);
        return prometheus;
    }

    /** The server's address, e.g. {@code http://127.0.0.1:40123}. */
    public URI url() {
        return url;
    }

    /**
     * An instant query ({@code GET /api/v1/query}): the samples of the resulting vector (a scalar
     * answers one sample without labels). Throws {@link IllegalStateException} with Prometheus'
     * error for a query it refuses.
     */
    public List<Sample> query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(
                                url.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalStateException("prometheus refused " + promql + ": " + r.statusCode() + " "
                    + body.path("errorType").asText() + ": "
                    + body.path("error").asText());
        }
        JsonNode data = body.path("data");
        List<Sample> out = new ArrayList<>();
        if ("scalar".equals(data.path("resultType").asText())) {
            out.add(new Sample(Map.of(), number(data.path("result").get(1))));
            return out;
        }
        for (JsonNode series : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            series.path("metric")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Sample(labels, number(series.path("value").get(1))));
        }
        return out;
    }

    /**
     * The value of a query that answers one sample, or NaN when it answers none (e.g. not scraped
     * yet). Throws {@link IllegalStateException} when it answers several.
     */
    public double value(String promql) throws IOException, InterruptedException {
        List<Sample> samples = query(promql);
        if (samples.size() > 1) {
            throw new IllegalStateException(promql + " answered " + samples.size() + " series, not one: " + samples);
        }
        return samples.isEmpty() ? Double.NaN : samples.getFirst().value();
    }

    private static double number(JsonNode v) {
        // Prometheus writes values as strings: "1", "NaN", "+Inf".
        return switch (v.asText()) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v.asText());
        };
    }

    private void awaitReady() {
        String[] last = {"no answer"};
        try {
            // a starting process: nothing to wait on but its answer
            Awaitility.await("prometheus ready")
                    .atMost(READY_WITHIN)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("prometheus exited at start; its log ends:\n" + logTail());
                        }
                        try {
                            HttpResponse<Void> r = http.send(
                                    HttpRequest.newBuilder(url.resolve("/-/ready"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                            last[0] = "status " + r.statusCode();
                            return r.statusCode() == 200;
                        } catch (IOException e) {
                            last[0] = e.toString();
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("prometheus not ready within " + READY_WITHIN.toSeconds() + " s (" + last[0]
                    + "); its log ends:\n" + logTail());
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(process.logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops Prometheus and deletes its directory. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
