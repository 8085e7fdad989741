package dev.drover.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The churn's writers: virtual threads that create, label and delete pods at {@code --ops-per-second}
 * in all, keeping the pool near its size, through every apiserver restart (a failed write counts and
 * the writer goes on).
 */
final class ChurnWriters {
    private final ChurnBench.Options o;
    private final KubeHttp http;
    private final String ns;
    private final Map<String, Boolean> live = new ConcurrentHashMap<>();
    private final AtomicLong created;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Thread> writers = new ArrayList<>();

    /** The pool's pods ({@link PodLoader#podName}) exist already. */
    ChurnWriters(ChurnBench.Options o, KubeHttp http, String ns) {
        this.o = o;
        this.http = http;
        this.ns = ns;
        for (int i = 0; i < o.pool(); i++) {
            live.put(PodLoader.podName(i), true);
        }
        this.created = new AtomicLong(o.pool());
    }

    /** Writes until {@code end} (nanoTime). */
    void start(long end) {
        for (int w = 0; w < o.writers(); w++) {
            writers.add(Thread.ofVirtual().name("churn-writer-" + w).start(() -> writeLoop(end)));
        }
    }

    void join() throws InterruptedException {
        for (Thread t : writers) {
            t.join();
        }
    }

    long ok() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    private void writeLoop(long end) {
        long perWriterGapNanos = 1_000_000_000L * o.writers() / Math.max(1, o.opsPerSecond());
        long next = System.nanoTime();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            try {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                next += perWriterGapNanos;
                int roll = rnd.nextInt(100);
                boolean success;
                if (live.size() < o.pool() * 8 / 10 || roll < 30) {
                    String name = "c-" + created.getAndIncrement();
                    int code = http.createPod(ns, name, Map.of("app", "churn"));
                    success = code == 201;
                    if (success) {
                        live.put(name, true);
                    }
                } else {
                    String name = any(rnd);
                    if (name == null) {
                        continue;
                    }
                    if (roll < 80) {
                        int code = http.patchLabel(ns, name, "bench-seq", Long.toString(rnd.nextLong(1_000_000)))
                                .statusCode();
                        success = code == 200;
                        if (code == 404) {
                            live.remove(name);
                        }
                    } else {
                        live.remove(name);
                        int code = http.deletePod(ns, name);
                        success = code == 200 || code == 202;
                        if (!success && code != 404) {
                            live.put(name, true); // not known to be gone
                        }
                    }
                }
                (success ? ok : failed).incrementAndGet();
                if (!success) {
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String any(ThreadLocalRandom rnd) {
        List<String> names = new ArrayList<>(live.keySet());
        return names.isEmpty() ? null : names.get(rnd.nextInt(names.size()));
    }
}
