package dev.drover.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request and its answer, as a route handler sees it: path parameters, query, headers,
 * the caller, the body (read up to the server's limit) and ways to answer.
 */
final class Call {
    private final HttpExchange exchange;
    private final Map<String, String> params;
    private final Map<String, String> query;
    private final Principal principal;
    private final long maxBodyBytes;
    private boolean answered;
    private static final long DRAIN_LIMIT = 64L << 20;

    Call(HttpExchange exchange, Map<String, String> params, Principal principal, long maxBodyBytes) {
        this.exchange = exchange;
        this.params = params;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        this.principal = principal;
        this.maxBodyBytes = maxBodyBytes;
    }

    String param(String name) {
        return params.get(name);
    }

    @Nullable
    String query(String name) {
        return query.get(name);
    }

    Map<String, String> queryParams() {
        return query;
    }

    /** An integer query parameter, or {@code fallback} when absent; a bad value is 400 naming it. */
    @Nullable
    Integer queryInt(String name, @Nullable Integer fallback, int min, int max) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest(
                    name + " must be a whole number from " + min + " to " + max + " (got '" + v + "')",
                    name,
                    "e.g. ?" + name + "=" + Math.max(min, Math.min(max, 100)));
        }
    }

    /** A boolean query parameter: absent or {@code false} is false, {@code true} or empty is true. */
    boolean queryFlag(String name) {
        String v = query.get(name);
        if (v == null) {
            return false;
        }
        if (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw Problem.badRequest(name + " must be true or false (got '" + v + "')", name, "e.g. ?" + name + "=true");
    }

    @Nullable
    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    Principal principal() {
        return principal;
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    boolean head() {
        return exchange.getRequestMethod().equals("HEAD");
    }

    /**
     * The body as JSON. Larger than the limit: 413; empty or not JSON: 400 saying where it broke.
     * Duplicate keys are an error (the reader is strict).
     */
    JsonNode jsonBody() throws IOException {
        return json(body());
    }

    /** {@code body} as JSON, as {@link #jsonBody} reads it. */
    JsonNode json(byte[] body) throws IOException {
        if (body.length == 0) {
            throw Problem.badRequest("the request has no body", null, "send a JSON object");
        }
        try {
            return Json.STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + " column "
                            + e.getLocation().getColumnNr();
            throw Problem.badRequest(
                    "the body is not valid JSON" + where + ": " + e.getOriginalMessage(),
                    null,
                    "send a JSON object (Content-Type: application/json)");
        }
    }

    byte[] body() throws IOException {
        String length = header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > maxBodyBytes) {
                    throw tooLarge(exchange.getRequestBody());
                }
            } catch (NumberFormatException e) {
                throw Problem.badRequest("Content-Length is not a number", "Content-Length", null);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > maxBodyBytes) {
                    throw tooLarge(in);
                }
            }
            return out.toByteArray();
        }
    }

    /**
     * 413. The rest of the body is read and dropped first (up to {@link #DRAIN_LIMIT}): a client still
     * sending it would otherwise see the connection reset instead of the answer.
     */
    private Problem tooLarge(InputStream in) throws IOException {
        long skipped = 0;
        byte[] buf = new byte[8192];
        for (int n; skipped < DRAIN_LIMIT && (n = in.read(buf)) > 0; ) {
            skipped += n;
        }
        return new Problem(
                413,
                "Content Too Large",
                "the body is larger than the server's limit of " + maxBodyBytes + " bytes",
                null,
                "send fewer tasks per request, or raise the server's --max-body-bytes");
    }

    void json(int status, Object body) throws IOException {
        send(status, "application/json", Json.MAPPER.writeValueAsBytes(body));
    }

    void problem(Problem p) throws IOException {
        p.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        send(p.status, "application/problem+json", Json.MAPPER.writeValueAsBytes(p.body(path())));
    }

    void send(int status, String contentType, byte[] body) throws IOException {
        answered = true;
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (head()) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Starts a streamed answer (chunked); the caller writes and closes it. */
    OutputStream stream(int status, String contentType) throws IOException {
        answered = true;
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(status, 0);
        return exchange.getResponseBody();
    }

    void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    boolean answered() {
        return answered;
    }

    private static Map<String, String> parseQuery(@Nullable String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }
}
