package dev.drover.bench;

import java.io.IOException;

/**
 * Independent request accounting from the apiserver's own {@code /metrics}: namespaced pod LISTs and WATCHes
 * as {@code apiserver_request_total} counts them (a WATCH is counted when it ends) plus the watches
 * open right now ({@code apiserver_longrunning_gauge}).
 */
final class ApiServerMetrics {
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
        long[] lists = {0};
        long[] watches = {0};
        long[] open = {0};
        MetricsText.requests(text, s -> {
            String verb = s.label("verb");
            // Namespaced only: the apiserver's own informers list and watch pods cluster-wide.
            if (!s.label("resource").equals("pods")
                    || !s.label("scope").equals("namespace")
                    || !s.label("subresource").isEmpty()
                    || verb.isEmpty()) {
                return;
            }
            boolean watch = verb.equals("WATCH") || verb.equals("WATCHLIST");
            if (s.total() && verb.equals("LIST")) {
                lists[0] += s.value();
            } else if (s.total() && watch) {
                watches[0] += s.value();
            } else if (!s.total() && watch) {
                open[0] += s.value();
            }
        });
        return new PodRequests(lists[0], watches[0], open[0]);
    }
}
