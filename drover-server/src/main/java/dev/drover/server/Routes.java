package dev.drover.server;

import dev.drover.core.NamespaceStatus;
import dev.drover.core.Replica;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every route of the server, in one table: the API, probes, metrics and the dashboard. */
final class Routes {
    private Routes() {}

    static Router of(DroverServer.Builder b, ChangeFeed feed) {
        Router r = new Router();
        r.add("GET", "/livez", null, call -> call.json(200, Map.of("status", "ok")));
        java.util.concurrent.atomic.AtomicBoolean synced = new java.util.concurrent.atomic.AtomicBoolean();
        r.add("GET", "/readyz", null, call -> ready(b, synced, call));
        new TaskRoutes(b.drover, b.store, b.logs != null ? b.logs : b.drover.logs(), b.readOnly).addTo(r);
        new WatchRoute(feed).addTo(r);
        r.add("GET", "/api/v1/replicas", Role.READ, call -> replicas(b, call));
        r.add("GET", "/api/v1/openapi.json", Role.READ, Routes::openApi);
        r.add("GET", "/metrics", Role.READ, call -> {
            if (b.metrics == null) {
                throw Problem.notFound("this server has no metrics registry");
            }
            call.send(
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    b.metrics.scrape().getBytes(StandardCharsets.UTF_8));
        });
        new DashboardRoutes().addTo(r);
        return r;
    }

    /**
     * Ready: the store answers, and the initial lists are done: every namespace this replica watched
     * at its first ready answer has been listed or has a known problem (a namespace it may not list
     * would otherwise keep the whole replica out of its Service). Once ready, a namespace listed later
     * (a task in a new namespace) does not take it out of its Service. A read-only server watches none.
     */
    private static void ready(DroverServer.Builder b, java.util.concurrent.atomic.AtomicBoolean synced, Call call)
            throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        boolean ready = true;
        try {
            b.store.get("readyz");
            out.put("store", "ok");
        } catch (RuntimeException e) {
            out.put("store", String.valueOf(e.getMessage()));
            ready = false;
        }
        if (!synced.get()) {
            List<String> listing = b.drover.namespaces().stream()
                    .filter(n -> !n.synced() && n.problem() == null)
                    .map(NamespaceStatus::namespace)
                    .toList();
            if (!listing.isEmpty()) {
                out.put("listing", listing);
                ready = false;
            } else if (ready) {
                synced.set(true);
            }
        }
        out.put("status", ready ? "ok" : "not ready");
        call.json(ready ? 200 : 503, out);
    }

    private static void replicas(DroverServer.Builder b, Call call) throws IOException {
        List<Map<String, Object>> items =
                b.drover.replicas().stream().map(Routes::replica).toList();
        call.json(200, Map.of("items", items, "self", b.drover.schedulerId()));
    }

    private static Map<String, Object> replica(Replica r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("host", r.host());
        m.put("version", r.version());
        m.put("state", r.state().name());
        m.put("alive", r.alive());
        m.put("heartbeatAgeSeconds", r.heartbeatAge().toMillis() / 1000.0);
        m.put("heartbeatAt", r.heartbeatAt());
        m.put("startedAt", r.startedAt());
        m.put("inFlight", r.inFlight());
        return m;
    }

    private static void openApi(Call call) throws IOException {
        try (InputStream in = Routes.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's jar");
            }
            call.send(200, "application/json", in.readAllBytes());
        }
    }
}
