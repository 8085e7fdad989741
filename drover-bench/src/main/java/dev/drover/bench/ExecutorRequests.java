package dev.drover.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor's API requests as the apiserver counted them ({@link ExecutorApiCounts}): audit lines
 * attributed to a client by user agent, the executor's per task, and the rows of the request tables.
 */
final class ExecutorRequests {
    private ExecutorRequests() {}

    /** The client a user agent belongs to; the executor's two clients both start with "executor". */
    static String clientOf(String userAgent) {
        if (userAgent.startsWith(ExecutorBench.UA_EXECUTOR)) {
            return "executor (fabric8)";
        }
        if (userAgent.startsWith("Java-http-client")) {
            return "executor (drover-kube)";
        }
        if (userAgent.startsWith(ExecutorBench.UA_SIM)) {
            return "simulator";
        }
        if (userAgent.startsWith(ExecutorBench.UA_WATCH)) {
            return "bench watch";
        }
        return "other: " + userAgent;
    }

    /** The executor's clients' requests in its namespace, per task. */
    static ExecutorReport.PerTask perTask(Map<String, Map<ExecutorApiCounts.Key, Long>> audit, int tasks) {
        Map<ExecutorApiCounts.Key, Long> exec = new HashMap<>();
        audit.forEach((client, counts) -> {
            if (client.startsWith("executor")) {
                counts.forEach((k, v) -> exec.merge(k, v, Long::sum));
            }
        });
        long creates = ExecutorApiCounts.count(exec, "CREATE", "pods", "");
        long patches = ExecutorApiCounts.count(exec, "PATCH", "pods", "");
        long deletes = ExecutorApiCounts.count(exec, "DELETE", "pods", "");
        // Pod reads: a read before a patch or delete would show here. (The submit's one look at each
        // namespace, whether it exists, is counted under "other".)
        long gets = ExecutorApiCounts.count(exec, "GET", "pods", "");
        // Log reads (KubeApi verb "log"): the archive's one read per container when a try ends.
        long logGets = ExecutorApiCounts.count(exec, "GET", "pods", "log");
        long lists = ofVerb(exec, "LIST");
        long watches = ofVerb(exec, "WATCH");
        long all = exec.values().stream().mapToLong(Long::longValue).sum();
        long other = all - creates - patches - deletes - gets - logGets - lists - watches;
        double n = Math.max(1, tasks);
        return new ExecutorReport.PerTask(
                creates,
                patches,
                deletes,
                gets,
                lists,
                watches,
                other,
                creates / n,
                patches / n,
                deletes / n,
                gets / n,
                lists / n,
                logGets,
                logGets / n,
                byVerb(exec));
    }

    /** Counts by "VERB resource[/subresource]" (codes summed), in key order. */
    static Map<String, Long> byVerb(Map<ExecutorApiCounts.Key, Long> counts) {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.merge(
                k.verb() + " " + k.resource() + (k.subresource().isEmpty() ? "" : "/" + k.subresource()),
                v,
                Long::sum));
        return out;
    }

    private static long ofVerb(Map<ExecutorApiCounts.Key, Long> counts, String verb) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().verb().equals(verb))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** One row per key of one client's counts. */
    static List<ExecutorReport.ApiRow> rows(String client, Map<ExecutorApiCounts.Key, Long> counts) {
        List<ExecutorReport.ApiRow> rows = new ArrayList<>();
        counts.forEach((k, v) ->
                rows.add(new ExecutorReport.ApiRow(client, k.verb(), k.resource(), k.subresource(), k.code(), v)));
        return rows;
    }

    /** One row per client and key, clients in the audit's order. */
    static List<ExecutorReport.ApiRow> rows(Map<String, Map<ExecutorApiCounts.Key, Long>> audit) {
        List<ExecutorReport.ApiRow> rows = new ArrayList<>();
        audit.forEach((client, counts) -> rows.addAll(rows(client, counts)));
        return rows;
    }
}
