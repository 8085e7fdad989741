package dev.drover.server;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files: {@code /} is its page, {@code /dashboard/…} its scripts and styles, read
 * from the jar ({@code dev/drover/server/dashboard/}). Public: they hold no data; the page asks for
 * a token and calls the API with it. Each answer has an ETag and {@code Cache-Control: no-cache},
 * so a browser asks again each time (a 304 when nothing changed) and never runs an old script
 * after an upgrade.
 */
final class DashboardRoutes {
    static final String ROOT = "dashboard/";
    /** Names of files, and folders of them: no {@code ..}, no hidden files, nothing odd. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    /** The page's scripts come from here only; the API is the same origin. */
    static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
            + " frame-ancestors 'none'; form-action 'self'";

    private record Asset(String name, byte[] bytes, String type, String etag) {}

    /** Only files that exist: a name asked for that has none is not remembered. */
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    void addTo(Router r) {
        r.add("GET", "/", null, call -> serve(call, "index.html"));
        r.add("GET", "/dashboard/**", null, call -> serve(call, call.param("**")));
    }

    private void serve(Call call, String name) throws IOException {
        Asset f = asset(name).orElseThrow(() -> Problem.notFound("the dashboard has no file '" + name + "'"));
        call.setHeader("Cache-Control", "no-cache");
        call.setHeader("ETag", f.etag());
        call.setHeader("X-Content-Type-Options", "nosniff");
        call.setHeader("Referrer-Policy", "no-referrer");
        if (f.type().startsWith("text/html")) {
            call.setHeader("Content-Security-Policy", CSP);
            call.setHeader("X-Frame-Options", "DENY");
        }
        String known = call.header("If-None-Match");
        if (known != null && known.contains(f.etag())) {
            call.send(304, f.type(), new byte[0]);
            return;
        }
        call.send(200, f.type(), f.bytes());
    }

    /** The file under the dashboard's folder, if the name is one a file may have and it exists. */
    Optional<Asset> asset(String name) {
        if (name.isEmpty()) {
            name = "index.html";
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Asset known = cache.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Asset> read = load(name);
        read.ifPresent(a -> cache.put(a.name(), a));
        return read;
    }

    private static Optional<Asset> load(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.get(ext);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(name, bytes, type, etag(bytes)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading the dashboard's " + name, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
