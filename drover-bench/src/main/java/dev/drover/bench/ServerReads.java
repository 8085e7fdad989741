package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.core.Drover;
import dev.drover.core.TaskIds;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskPage;
import dev.drover.core.store.TaskQuery;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TransitionRequest;
import io.fabric8.kubernetes.client.Config;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Phase 2: read latencies with 10k and 100k tasks in one store (inserted with {@code
 * TaskStore.insertAll} in big batches, then a share moved to RUNNING, SUCCEEDED and FAILED with
 * {@code transitionAll}), over HTTP and the same read in-process on the store, one caller, the two
 * interleaved (in-process first on even rounds, HTTP first on odd ones), so the table shows what the
 * HTTP layer adds as a ratio.
 */
final class ServerReads {
    /** One read kind at one size: HTTP and in-process latencies in ms, the answer's mean size. */
    record Read(
            String read,
            String http,
            String inProcess,
            ExecutorStats.Percentiles httpMs,
            ExecutorStats.Percentiles inProcessMs,
            double httpBytes) {}

    /** All reads at one store size; {@code states}: the store's counts by state. */
    record SizeResult(
            String store,
            int tasks,
            double fillSeconds,
            Map<String, Long> states,
            List<Read> reads,
            double countMs,
            DashboardRender.@Nullable Result dashboard) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The shares moved on from QUEUED, in this order, by index modulo 20. */
    private static final int RUNNING_OF_20 = 4;

    private static final int SUCCEEDED_OF_20 = 10;
    private static final int FAILED_OF_20 = 1;
    static final int DEEP_PAGE = 50;

    private final ServerBench.Options o;
    private final Progress progress;

    ServerReads(ServerBench.Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    /** Each size in turn on one store (filled up from the last size), then the reads. */
    List<SizeResult> run(Config kube, String storeKind, String namespace, TaskStore store, Path dir) throws Exception {
        List<SizeResult> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (Drover drover = Drover.builder(kube, store)
                        .schedulerId("bench-reads")
                        .cluster("bench")
                        .build();
                ServerApi api = ServerApi.start(drover, store, dir.resolve("tokens"))) {
            for (int size : o.sizes()) {
                long t0 = System.nanoTime();
                fill(store, namespace, ids, size);
                double fill = (System.nanoTime() - t0) / 1e9;
                Map<String, Long> states = new LinkedHashMap<>();
                store.countByState().forEach((k, v) -> states.put(k.name(), v));
                progress.say("reads on %s: %,d tasks in the store (%.1f s to fill: %s)", storeKind, size, fill, states);
                SizeResult r = reads(api, store, storeKind, ids, fill, states);
                DashboardRender.Result dashboard = null;
                try {
                    // Not in the smoke run: a browser start and its rounds would double its time in CI.
                    dashboard = o.smoke() ? null : DashboardRender.measure(api, 10, progress);
                } catch (Exception | LinkageError e) {
                    progress.say("  dashboard: failed, left out: %s", e.toString());
                }
                out.add(new SizeResult(
                        r.store(), r.tasks(), r.fillSeconds(), r.states(), r.reads(), r.countMs(), dashboard));
            }
        }
        return out;
    }

    /** Inserts tasks until there are {@code size}, 1000 per insertAll, then moves a share of the new ones on. */
    private void fill(TaskStore store, String namespace, List<String> ids, int size) {
        int from = ids.size();
        Instant now = Instant.now();
        for (int i = from; i < size; i += 1000) {
            LinkedHashMap<String, TaskSpec> batch = new LinkedHashMap<>();
            java.util.LinkedHashSet<String> fresh = new java.util.LinkedHashSet<>();
            while (fresh.size() < Math.min(1000, size - i)) {
                fresh.add(TaskIds.next());
            }
            List<String> newIds = List.copyOf(fresh);
            for (int j = 0; j < newIds.size(); j++) {
                batch.put(newIds.get(j), ServerBench.spec(namespace, i + j));
            }
            store.insertAll(batch, "bench", now);
            ids.addAll(newIds);
            progress.tick("inserted", ids.size(), size);
        }
        progress.done();
        List<TransitionRequest> toRunning = new ArrayList<>();
        List<TransitionRequest> toEnd = new ArrayList<>();
        for (int i = from; i < size; i++) {
            int k = i % 20;
            if (k < RUNNING_OF_20 + SUCCEEDED_OF_20 + FAILED_OF_20) {
                toRunning.add(new TransitionRequest(
                        ids.get(i), 1, EnumSet.of(TaskState.QUEUED), TaskState.RUNNING, "bench", null, null, now));
            }
            if (k >= RUNNING_OF_20 && k < RUNNING_OF_20 + SUCCEEDED_OF_20) {
                toEnd.add(new TransitionRequest(
                        ids.get(i), 1, EnumSet.of(TaskState.RUNNING), TaskState.SUCCEEDED, "bench", null, null, now));
            } else if (k >= RUNNING_OF_20 + SUCCEEDED_OF_20 && k < RUNNING_OF_20 + SUCCEEDED_OF_20 + FAILED_OF_20) {
                toEnd.add(new TransitionRequest(
                        ids.get(i), 1, EnumSet.of(TaskState.RUNNING), TaskState.FAILED, "bench", null, null, now));
            }
        }
        transitions(store, toRunning, "to RUNNING");
        transitions(store, toEnd, "to SUCCEEDED/FAILED");
    }

    private void transitions(TaskStore store, List<TransitionRequest> all, String what) {
        for (int i = 0; i < all.size(); i += 1000) {
            store.transitionAll(all.subList(i, Math.min(all.size(), i + 1000)));
            progress.tick(what, Math.min(all.size(), i + 1000), all.size());
        }
        progress.done();
    }

    /** One read; what it returns is the answer's size in bytes (0 in-process). */
    private interface Timed {
        long run(int round) throws Exception;
    }

    private SizeResult reads(
            ServerApi api, TaskStore store, String storeKind, List<String> ids, double fill, Map<String, Long> states)
            throws Exception {
        Random random = new Random(42);
        List<Read> out = new ArrayList<>();
        int gets = o.getReads();
        int lists = o.listReads();
        String[] pick = new String[Math.max(gets, lists) * 2 + 200];
        for (int i = 0; i < pick.length; i++) {
            pick[i] = ids.get(random.nextInt(ids.size()));
        }
        out.add(pair(
                "task by id (random)",
                "GET /api/v1/tasks/{id}",
                "store.get + store.transitions",
                gets,
                r -> api.get("/api/v1/tasks/" + pick[r]),
                r -> {
                    store.get(pick[r]).orElseThrow();
                    return store.transitions(pick[r]).size() * 0L;
                }));
        out.add(list(api, store, "list, first page (no filter)", "", TaskQuery.all(), lists));
        out.add(list(
                api,
                store,
                "list, state=FAILED (5%)",
                "state=FAILED",
                TaskQuery.all().withStates(Set.of(TaskState.FAILED)),
                lists));
        out.add(list(
                api,
                store,
                "list, state=RUNNING,QUEUED (45%)",
                "state=RUNNING,QUEUED",
                TaskQuery.all().withStates(EnumSet.of(TaskState.RUNNING, TaskState.QUEUED)),
                lists));
        out.add(list(
                api,
                store,
                "list, labelSelector team=t3 (1/8)",
                "labelSelector=" + URLEncoder.encode("team=t3", StandardCharsets.UTF_8),
                TaskQuery.all().withLabelSelector("team=t3"),
                lists));
        out.add(list(
                api,
                store,
                "list, labelSelector team=t3,app=a7 (1/200)",
                "labelSelector=" + URLEncoder.encode("team=t3,app=a7", StandardCharsets.UTF_8),
                TaskQuery.all().withLabelSelector("team=t3,app=a7"),
                lists));
        String cursor = cursorOfPage(store, DEEP_PAGE);
        if (cursor != null) {
            String http = httpCursorOfPage(api, DEEP_PAGE);
            out.add(list(
                    api,
                    store,
                    "list, page " + DEEP_PAGE + " by cursor",
                    "cursor=" + URLEncoder.encode(http, StandardCharsets.UTF_8),
                    TaskQuery.all().withCursor(cursor),
                    lists));
        }
        long[] count = new long[Math.max(20, lists / 5)];
        for (int i = 0; i < count.length; i++) {
            long s = System.nanoTime();
            store.countByState();
            count[i] = System.nanoTime() - s;
        }
        double countMs = ExecutorStats.percentiles(count).p50();
        progress.say("  store.countByState (the list's counts, once a second at most): p50 %.1f ms", countMs);
        return new SizeResult(storeKind, ids.size(), fill, states, out, countMs, null);
    }

    private Read list(ServerApi api, TaskStore store, String what, String query, TaskQuery q, int n) throws Exception {
        String path = "/api/v1/tasks" + (query.isEmpty() ? "" : "?" + query);
        return pair(what, "GET " + decoded(path), "store.query", n, r -> api.get(path), r -> {
            store.query(q);
            return 0L;
        });
    }

    private static String decoded(String path) {
        String p = java.net.URLDecoder.decode(path, StandardCharsets.UTF_8);
        int c = p.indexOf("cursor=");
        return c < 0 ? p : p.substring(0, c) + "cursor=…";
    }

    /** {@code n} rounds after a tenth as many untimed ones, HTTP and in-process in turn. */
    private Read pair(String what, String httpName, String inProcessName, int n, Timed http, Timed local)
            throws Exception {
        int warm = Math.max(10, n / 10);
        for (int r = 0; r < warm; r++) {
            http.run(r);
            local.run(r);
        }
        long[] h = new long[n];
        long[] l = new long[n];
        long[] bytes = {0};
        for (int r = 0; r < n; r++) {
            int round = warm + r;
            if (r % 2 == 0) {
                l[r] = time(local, round, bytes);
                h[r] = time(http, round, bytes);
            } else {
                h[r] = time(http, round, bytes);
                l[r] = time(local, round, bytes);
            }
        }
        Read read = new Read(
                what,
                httpName,
                inProcessName,
                ExecutorStats.percentiles(h),
                ExecutorStats.percentiles(l),
                (double) bytes[0] / n);
        progress.say(
                "  %s: HTTP p50 %.2f p99 %.2f ms, in-process p50 %.2f p99 %.2f ms",
                what,
                read.httpMs().p50(),
                read.httpMs().p99(),
                read.inProcessMs().p50(),
                read.inProcessMs().p99());
        return read;
    }

    private static long time(Timed t, int round, long[] bytes) throws Exception {
        long s = System.nanoTime();
        bytes[0] += t.run(round);
        return System.nanoTime() - s;
    }

    /** The cursor that gets page {@code page} (1-based) of the unfiltered list, walked in-process. */
    private static @Nullable String cursorOfPage(TaskStore store, int page) {
        String cursor = null;
        for (int p = 1; p < page; p++) {
            TaskPage got = store.query(TaskQuery.all().withCursor(cursor));
            cursor = got.nextCursor();
            if (cursor == null) {
                return null;
            }
        }
        return cursor;
    }

    /** The same walked over HTTP (the API's nextCursor). */
    private static String httpCursorOfPage(ServerApi api, int page) throws Exception {
        String cursor = null;
        for (int p = 1; p < page; p++) {
            String q = cursor == null ? "" : "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
            JsonNode got = JSON.readTree(api.getText("/api/v1/tasks" + q));
            cursor = got.path("nextCursor").asText(null);
            if (cursor == null) {
                throw new IllegalStateException("the API's list ended before page " + page);
            }
        }
        return cursor;
    }
}
