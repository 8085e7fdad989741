package dev.drover.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Routes by method and path template ({@code /api/v1/tasks/{id}/cancel}): the first route whose
 * template matches the path wins. A path no template matches is 404; a path some template matches
 * for other methods only is 405 with {@code Allow}.
 */
final class Router {
    /** What a route does with a call; throws {@link Problem} for answers other than success. */
    @FunctionalInterface
    interface Handler {
        void handle(Call call) throws Exception;
    }

    /**
     * One route. {@code role} null: public (probes and the dashboard's files, which hold no data);
     * else the least role a caller needs.
     */
    record Route(String method, String template, @Nullable Role role, Handler handler) {
        String[] parts() {
            return template.substring(1).split("/", -1);
        }
    }

    record Match(Route route, Map<String, String> params) {}

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, @Nullable Role role, Handler handler) {
        routes.add(new Route(method, template, role, handler));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The route for this call; throws {@link Problem} 404 or 405. */
    Match find(String method, String path) {
        TreeSet<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = match(r, path);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)
                    || (method.equals("HEAD") && r.method().equals("GET"))) {
                return new Match(r, params);
            }
            allowed.add(r.method());
        }
        if (!allowed.isEmpty()) {
            throw new Problem(
                            405,
                            "Method Not Allowed",
                            method + " is not allowed on " + path,
                            null,
                            "use " + String.join(" or ", allowed))
                    .header("Allow", String.join(", ", allowed));
        }
        throw Problem.notFound("no such path: " + path + " (the API is described at /api/v1/openapi.json)");
    }

    /** The template's parameters taken from {@code path}, or null when it does not match. */
    static @Nullable Map<String, String> match(Route r, String path) {
        if (r.template().endsWith("/**")) {
            String prefix = r.template().substring(0, r.template().length() - 2);
            return path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))
                    ? Map.of("**", path.length() >= prefix.length() ? path.substring(prefix.length()) : "")
                    : null;
        }
        if (!path.startsWith("/")) {
            return null;
        }
        String[] want = r.parts();
        String[] got = path.substring(1).split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(want[i].substring(1, want[i].length() - 1), got[i]);
            } else if (!want[i].equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
