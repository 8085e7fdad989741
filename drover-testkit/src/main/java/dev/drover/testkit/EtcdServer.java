package dev.drover.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** etcd on loopback, plus the two calls the test ground needs from its HTTP gateway. */
final class EtcdServer {
    private static final Pattern REVISION = Pattern.compile("\"revision\"\\s*:\\s*\"?(\\d+)");
    private final int clientPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    EtcdServer(int clientPort) {
        this.clientPort = clientPort;
    }

    String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    static List<String> command(Path dataDir, int clientPort, int peerPort) {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        return List.of(
                "/usr/bin/etcd",
                "--name=drover",
                "--data-dir=" + dataDir,
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=drover=" + peer,
                "--quota-backend-bytes=8589934592",
                "--log-level=warn");
    }

    boolean isHealthy() {
        try {
            var r = http.send(
                    HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The store's current revision (what compaction is measured against). */
    long revision() {
        // A range over a key nobody writes still answers with the header's current revision.
        String body = post("/v3/kv/range", "{\"key\":\"ZHJvdmVyLXByb2Jl\"}");
        Matcher m = REVISION.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("etcd answered without a revision: " + body);
        }
        return Long.parseLong(m.group(1));
    }

    /** Writes a key outside Kubernetes' prefix: moves the revision on while kube-apiserver is down. */
    long bumpRevision() {
        post("/v3/kv/put", "{\"key\":\"ZHJvdmVyLWJ1bXA=\",\"value\":\"MQ==\"}");
        return revision();
    }

    /** Compacts away all history before the current revision, so older resourceVersions answer 410. */
    long compact() {
        return compact(revision());
    }

    /** Compacts away all history before {@code rev}; {@code rev} itself stays readable. */
    long compact(long rev) {
        post("/v3/kv/compaction", "{\"revision\":\"" + rev + "\",\"physical\":true}");
        return rev;
    }

    private String post(String path, String json) {
        try {
            var r = http.send(
                    HttpRequest.newBuilder(URI.create(endpoint() + path))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("etcd " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("etcd " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
