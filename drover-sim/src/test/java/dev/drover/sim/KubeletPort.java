package dev.drover.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Requests straight to a simulator's kubelet port, bypassing the apiserver. */
final class KubeletPort {
    private KubeletPort() {}

    /** The HTTP status of {@code GET /containerLogs/<ns>/<pod>/<container>}. */
    static int containerLogs(NodeSimulator sim, String ns, String pod, String container) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new TrustingManager()}, null);
        try (HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build()) {
            URI uri = URI.create(
                    "https://127.0.0.1:" + sim.kubeletPort() + "/containerLogs/" + ns + "/" + pod + "/" + container);
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        }
    }

    /** The simulated kubelet's certificate is self-signed. */
    private static final class TrustingManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
