package dev.drover.kube;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Requests a {@link KubeApi} made, by verb and status code (0 = no answer), for metrics. */
public final class ApiCounters {
    private final Map<String, LongAdder> byVerbAndCode = new ConcurrentHashMap<>();
    private final LongAdder throttledByServer = new LongAdder();

    void record(String verb, int code) {
        byVerbAndCode.computeIfAbsent(verb + " " + code, k -> new LongAdder()).increment();
    }

    void recordThrottled() {
        throttledByServer.increment();
    }

    /** {@code "list 200" -> 3, "watch 410" -> 1, ...}, sorted. */
    public Map<String, Long> requests() {
        Map<String, Long> out = new TreeMap<>();
        byVerbAndCode.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long requests(String verb) {
        return byVerbAndCode.entrySet().stream()
                .filter(e -> e.getKey().startsWith(verb + " "))
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    /** 429 answers seen (each one honoured its Retry-After). */
    public long throttledByServer() {
        return throttledByServer.sum();
    }
}
