package dev.drover.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The apiserver's {@code /metrics} text, the two series the benchmarks count requests by: {@code
 * apiserver_request_total} (a request when it ends) and {@code apiserver_longrunning_gauge} (watches
 * open right now).
 */
final class MetricsText {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** One sample: {@code total} for the request counter, else the open-request gauge. */
    record Sample(boolean total, Map<String, String> labels, long value) {
        String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    interface Sink {
        void accept(Sample s);
    }

    private MetricsText() {}

    /** Every sample of the two series, in the order of the text. */
    static void requests(String text, Sink sink) {
        for (String line : text.split("\n")) {
            boolean total = line.startsWith("apiserver_request_total{");
            boolean gauge = line.startsWith("apiserver_longrunning_gauge{");
            if (!total && !gauge) {
                continue;
            }
            int close = line.lastIndexOf('}');
            Map<String, String> labels = new HashMap<>();
            Matcher m = LABEL.matcher(line.substring(line.indexOf('{') + 1, close));
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
            sink.accept(new Sample(total, labels, (long)
                    Double.parseDouble(line.substring(close + 1).trim())));
        }
    }
}
