package dev.drover.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An answer other than success, as {@code application/problem+json} (RFC 9457): the status, a
 * title, what went wrong ({@code detail}), and where the request can say which field and how to fix
 * it. Thrown by route handlers; the router writes it.
 */
final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String title;
    final @Nullable String field;
    final @Nullable String fix;
    private final Map<String, String> headers = new LinkedHashMap<>();

    Problem(int status, String title, String detail, @Nullable String field, @Nullable String fix) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.fix = fix;
    }

    static Problem badRequest(String detail, @Nullable String field, @Nullable String fix) {
        return new Problem(400, "Bad Request", detail, field, fix);
    }

    static Problem invalid(String detail, @Nullable String field, @Nullable String fix) {
        return new Problem(422, "Unprocessable Content", detail, field, fix);
    }

    static Problem notFound(String detail) {
        return new Problem(404, "Not Found", detail, null, null);
    }

    static Problem conflict(String detail, @Nullable String fix) {
        return new Problem(409, "Conflict", detail, null, fix);
    }

    Problem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    Map<String, String> headers() {
        return headers;
    }

    Map<String, Object> body(String instance) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "about:blank");
        m.put("title", title);
        m.put("status", status);
        m.put("detail", getMessage());
        if (field != null) {
            m.put("field", field);
        }
        if (fix != null) {
            m.put("fix", fix);
        }
        m.put("instance", instance);
        return m;
    }
}
