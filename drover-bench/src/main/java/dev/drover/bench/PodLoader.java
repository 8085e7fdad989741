package dev.drover.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Creates many small pods concurrently with raw POSTs from virtual threads. */
final class PodLoader {
    private PodLoader() {}

    /** How the load went: pods created, how long it took, answers other than 201 that were retried. */
    record LoadResult(int created, double seconds, long retries) {
        double perSecond() {
            return seconds == 0 ? 0 : created / seconds;
        }
    }

    static String podName(int index) {
        return String.format("p-%06d", index);
    }

    /**
     * Creates pods {@code from} (inclusive) to {@code to} (exclusive), pod i in {@code
     * namespaces[i % namespaces.size()]}, with {@code concurrency} writers.
     */
    static LoadResult create(
            KubeHttp http, List<String> namespaces, int from, int to, int concurrency, Progress progress)
            throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        AtomicLong retries = new AtomicLong();
        long t0 = System.nanoTime();
        try {
            Workers.run(Thread.ofVirtual().name("create-", 0), concurrency, from, to, 1, "pod writers", (i, n) -> {
                String ns = namespaces.get(i % namespaces.size());
                Map<String, String> labels = Map.of("app", "bench", "bench-batch", Integer.toString(i / 1000));
                createOne(http, ns, podName(i), labels, retries);
                progress.tick("creating pods", done.incrementAndGet(), to - from);
            });
        } finally {
            progress.done();
        }
        return new LoadResult(done.get(), (System.nanoTime() - t0) / 1e9, retries.get());
    }

    private static void createOne(KubeHttp http, String ns, String name, Map<String, String> labels, AtomicLong retries)
            throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            int code;
            try {
                code = http.createPod(ns, name, labels);
            } catch (IOException e) {
                if (attempt >= 5) {
                    throw e;
                }
                code = 0;
            }
            if (code == 201 || code == 409) { // 409: an earlier attempt got through
                return;
            }
            if (attempt >= 5) {
                throw new IOException("creating " + ns + "/" + name + " answered " + code + " six times");
            }
            retries.incrementAndGet();
            Thread.sleep(200L * (attempt + 1));
        }
    }
}
