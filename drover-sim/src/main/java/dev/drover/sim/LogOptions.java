package dev.drover.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The query of a kubelet {@code /containerLogs} request, as the apiserver forwards it from {@code
 * pods/<p>/log}: {@code follow}, {@code sinceTime}, {@code sinceSeconds}, {@code tailLines}, {@code
 * timestamps}, {@code limitBytes}, {@code previous}.
 */
record LogOptions(
        boolean follow, Instant since, long tailLines, boolean timestamps, long limitBytes, boolean previous) {

    static final long UNLIMITED = -1;

    static LogOptions parse(String rawQuery, Instant now) {
        Map<String, String> q = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
        }
        Instant since = KubeTime.parse(q.get("sinceTime"));
        long sinceSeconds = number(q.get("sinceSeconds"));
        if (since == null && sinceSeconds > 0) {
            since = now.minusSeconds(sinceSeconds);
        }
        return new LogOptions(
                flag(q.get("follow")),
                since,
                number(q.get("tailLines")),
                flag(q.get("timestamps")),
                number(q.get("limitBytes")),
                flag(q.get("previous")));
    }

    /**
     * Index of the first line to send from those written by {@code now}, honouring since and tail;
     * computed from the line times, so a tail of a huge log costs no walk through it.
     */
    int firstLine(ContainerLog log, Instant now) {
        int written = log.writtenBy(now);
        int first = since == null ? 0 : Math.min(written, log.firstAtOrAfter(since));
        if (tailLines >= 0 && written - first > tailLines) {
            first = (int) (written - tailLines);
        }
        return first;
    }

    /** Whether line {@code i} passes the since filter (lines written later always do). */
    boolean wanted(ContainerLog log, int i) {
        return since == null || !log.lineTime(i).isBefore(since);
    }

    String render(ContainerLog log, int i) {
        String text = log.line(i) + "\n";
        return timestamps ? KubeTime.nanos(log.lineTime(i)) + " " + text : text;
    }

    private static boolean flag(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    private static long number(String v) {
        if (v == null || v.isBlank()) {
            return UNLIMITED;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return UNLIMITED;
        }
    }
}
