package dev.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The CLI's side of a Drover server's REST API ({@code /api/v1}): JSON requests with the bearer
 * token, text streams for logs. An answer other than success becomes one line naming the server,
 * {@code server URL: <detail>; <fix>} (a {@link CliFailure}, exit 2), as the server's problem
 * document says it. A request that fails on the network is sent once more.
 */
final class ServerClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String token;
    private final String tokenSource;
    private final HttpClient http;

    /** An answer: its status and body. */
    record Answer(int status, String contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * @param token null sends none (the server answers 401 naming what is missing)
     * @param tokenSource where the token came from, for messages ({@code --token}, {@code $DROVER_TOKEN})
     * @param serverCa PEM certificates trusted besides the JVM's trust store; null: the JVM's only
     */
    ServerClient(URI base, String token, String tokenSource, Path serverCa) {
        this.base = base;
        this.token = token;
        this.tokenSource = tokenSource;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
        if (serverCa != null) {
            b.sslContext(trusting(serverCa));
        }
        this.http = b.build();
    }

    String shown() {
        return "server " + base;
    }

    /** {@code ?a=1&b=x} of the non-null values, encoded. */
    static String query(Map<String, Object> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null) {
                q.append(q.isEmpty() ? '?' : '&')
                        .append(k)
                        .append('=')
                        .append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    static String pathPart(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** GET, the answer as JSON; other than 2xx fails as one line. */
    JsonNode getJson(String path) {
        return json(expect(send("GET", path, null, Map.of()), 200));
    }

    /** POST of a JSON body; the answer whatever its status (the caller tells which it expects). */
    Answer post(String path, Object body, Map<String, String> headers) {
        byte[] bytes;
        try {
            bytes = TaskView.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send("POST", path, bytes, headers);
    }

    /** The answer, or a {@link CliFailure} from its problem document when it is not {@code status}. */
    Answer expect(Answer a, int status) {
        if (a.status() != status) {
            throw failure(a);
        }
        return a;
    }

    JsonNode json(Answer a) {
        try {
            return TaskView.JSON.readTree(a.body());
        } catch (IOException e) {
            throw new CliFailure(shown() + ": the answer is not JSON (" + ErrorReport.cause(e) + ")");
        }
    }

    /**
     * Sends the request; a connect failure, a timeout or a broken connection is tried once more with
     * the same request (a submit carries an Idempotency-Key, so the server answers a repeat with the
     * first result).
     */
    Answer send(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest request =
                request(method, path, body, headers).timeout(REQUEST_TIMEOUT).build();
        try {
            HttpResponse<byte[]> r;
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException first) {
                if (first instanceof SSLException) {
                    throw first; // the same again
                }
                r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            }
            return new Answer(
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(shown(), e);
        }
    }

    /**
     * GET of a text stream, copied to {@code out} as it comes (flushed after each read): a followed
     * log. No timeout: a followed log may be quiet for long. Only a request that got no answer is
     * sent again, never one whose stream had begun.
     */
    void stream(String path, OutputStream out) {
        HttpRequest request = request("GET", path, null, Map.of()).build();
        HttpResponse<InputStream> r;
        try {
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException first) {
                if (first instanceof SSLException) {
                    throw first;
                }
                r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(shown(), e);
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw failure(new Answer(
                        r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), in.readAllBytes()));
            }
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            throw new CliFailure(shown() + ": the log stream broke", e);
        }
    }

    private HttpRequest.Builder request(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Accept", "application/json, application/problem+json, text/plain");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        return b;
    }

    private CliFailure unreachable(IOException e) {
        if (e instanceof SSLException) {
            return CliFailure.saying(
                    shown() + ": TLS failed: " + ErrorReport.cause(e)
                            + " (--server-ca FILE trusts a private CA's certificates)",
                    e);
        }
        String why = e instanceof ConnectException
                ? "cannot connect; is a drover server running there?"
                : e instanceof HttpTimeoutException ? "no answer in time" : ErrorReport.cause(e);
        return CliFailure.saying(shown() + ": " + why, e);
    }

    /** One line from a problem answer: its detail and fix; 401 also says which token was sent. */
    CliFailure failure(Answer a) {
        Map<String, String> problem = problem(a);
        String detail = problem.get("detail");
        if (detail == null) {
            String text = a.text().strip();
            int nl = text.indexOf('\n');
            detail = "HTTP " + a.status() + (text.isEmpty() ? "" : " " + (nl < 0 ? text : text.substring(0, nl)));
        }
        String fix = problem.get("fix");
        if (a.status() == 401) {
            fix = tokenSource == null
                    ? "give the server's token with --token, --token-file FILE or $DROVER_TOKEN"
                    : "the token of " + tokenSource + " is not one the server takes; ask its admin for one";
        }
        return new CliFailure(shown() + ": " + detail + (fix == null ? "" : "; " + fix));
    }

    private Map<String, String> problem(Answer a) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!a.contentType().contains("json")) {
            return out;
        }
        try {
            JsonNode n = TaskView.JSON.readTree(a.body());
            for (String field : new String[] {"detail", "fix", "field", "title"}) {
                if (n.hasNonNull(field)) {
                    out.put(field, n.get(field).asText());
                }
            }
        } catch (IOException e) {
            // not a problem document: the status says it
        }
        return out;
    }

    /** TLS trusting the JVM's trust store and the certificates of {@code pemFile}. */
    private static SSLContext trusting(Path pemFile) {
        try {
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(pemFile)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("--server-ca " + pemFile + ": holds no certificate");
            }
            KeyStore own = KeyStore.getInstance(KeyStore.getDefaultType());
            own.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                own.setCertificateEntry("ca-" + i++, c);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new EitherTrust(trustManager(null), trustManager(own))}, null);
            return ctx;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--server-ca " + pemFile + ": no such file");
        } catch (CertificateException e) {
            throw new IllegalArgumentException(
                    "--server-ca " + pemFile + ": not PEM certificates (" + e.getMessage() + ")");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--server-ca " + pemFile + ": " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager trustManager(KeyStore keys) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(keys); // null: the JVM's trust store
        for (TrustManager m : f.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Trusts a server either trust manager trusts (each also checks the host name). */
    private static final class EitherTrust extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager jvm;
        private final X509ExtendedTrustManager own;

        EitherTrust(X509ExtendedTrustManager jvm, X509ExtendedTrustManager own) {
            this.jvm = jvm;
            this.own = own;
        }

        @FunctionalInterface
        private interface Check {
            void check(X509ExtendedTrustManager m) throws CertificateException;
        }

        private void either(Check check) throws CertificateException {
            try {
                check.check(own);
            } catch (CertificateException ownRefused) {
                try {
                    check.check(jvm);
                } catch (CertificateException jvmRefused) {
                    ownRefused.addSuppressed(jvmRefused);
                    throw ownRefused;
                }
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("a client only checks servers");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("a client only checks servers");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client only checks servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = own.getAcceptedIssuers();
            X509Certificate[] b = jvm.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
