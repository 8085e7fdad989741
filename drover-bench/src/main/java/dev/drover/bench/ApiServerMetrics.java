package dev.drover.bench;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Independent request accounting from the apiserver's own {@code /metrics}: namespaced pod LISTs and WATCHes
 * as {@code apiserver_request_total} counts them (a WATCH is counted when it ends) plus the watches
 * open right now ({@code apiserver_longrunning_gauge}).
 */
final class ApiServerMetrics {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Pod list/watch counts at one moment. */
    record PodRequests(long lists, long watchesEnded, long watchesOpen) {
        /** Requests made between {@code before} and this snapshot (an open watch counts once). */
        PodRequests minus(PodRequests before) {
            return new PodRequests(
                    lists - before.lists, watchesEnded - before.watchesEnded, watchesOpen - before.watchesOpen);
        }

        long watches() {
            return watchesEnded + watchesOpen;
        }

        long total() {
            return lists + watches();
        }
    }

    private ApiServerMetrics() {}

    static PodRequests podRequests(KubeHttp http) throws IOException, InterruptedException {
        return parse(http.getString("/metrics"));
    }

    static PodRequests parse(String text) {
        long lists = 0;
        long watches = 0;
        long open = 0;
        for (String line : text.split("\n")) {
            boolean total = line.startsWith("apiserver_request_total{");
            boolean gauge = line.startsWith("apiserver_longrunning_gauge{");
            if (!total && !gauge) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labels = line.substring(line.indexOf('{') + 1, close);
            String resource = null;
            String scope = null;
            String subresource = "";
            String verb = null;
            Matcher m = LABEL.matcher(labels);
            while (m.find()) {
                switch (m.group(1)) {
                    case "resource" -> resource = m.group(2);
                    case "subresource" -> subresource = m.group(2);
                    case "scope" -> scope = m.group(2);
                    case "verb" -> verb = m.group(2);
                    default -> {}
                }
            }
            // Namespaced only: the apiserver's own informers list and watch pods cluster-wide.
            if (!"pods".equals(resource) || !"namespace".equals(scope) || !subresource.isEmpty() || verb == null) {
                continue;
            }
            long value = (long) Double.parseDouble(line.substring(close + 1).trim());
            if (total && verb.equals("LIST")) {
                lists += value;
            } else if (total && (verb.equals("WATCH") || verb.equals("WATCHLIST"))) {
                watches += value;
            } else if (gauge && (verb.equals("WATCH") || verb.equals("WATCHLIST"))) {
                open += value;
            }
        }
        return new PodRequests(lists, watches, open);
    }
}
