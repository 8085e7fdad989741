package dev.drover.bench;

import dev.drover.kube.Delta;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.testkit.TestGround;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live half of watch-throughput: our informer synced on the namespace and, in the same process,
 * a raw watch of it from the same resourceVersion that only counts lines, while concurrent label
 * patches run. The raw watch's bytes are recorded for {@link WatchThroughputReplay}.
 */
final class WatchThroughputLive {
    private final WatchThroughputBench.Options o;
    private final Progress progress;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    WatchThroughputLive(WatchThroughputBench.Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    /** The raw watch's bytes as read. */
    byte[] recorded() {
        return recorded.toByteArray();
    }

    WatchThroughputBench.Live run(TestGround ground, KubeHttp http, String ns, String rv) throws Exception {
        AtomicLong rawEvents = new AtomicLong();
        AtomicLong rawLast = new AtomicLong();
        AtomicLong rawBytes = new AtomicLong();
        // Its own client (own connection), as our informer has: the writers' connection stays theirs.
        KubeHttp rawHttp = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-raw-watch");
        InputStream rawStream = rawHttp.open(KubeHttp.podsPath(ns) + "?watch=true&resourceVersion=" + rv);
        Thread rawReader = Thread.ofVirtual().name("raw-watch").start(() -> {
            byte[] buf = new byte[64 * 1024];
            try (rawStream) {
                int n;
                while ((n = rawStream.read(buf)) >= 0) {
                    rawBytes.addAndGet(n);
                    recorded.write(buf, 0, n);
                    int lines = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                    if (lines > 0) {
                        rawLast.set(System.nanoTime());
                        if (rawEvents.addAndGet(lines) >= o.events()) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // closed at the end
            }
        });

        AtomicLong oursEvents = new AtomicLong();
        AtomicLong oursLast = new AtomicLong();
        KubeApi api = KubeApi.builder(ground.adminConfig()).build();
        Informer<PodView> informer = Informer.pods(api)
                .namespaces(ns)
                .listener(d -> {
                    if (d instanceof Delta.Modified<PodView>) {
                        oursEvents.incrementAndGet();
                        oursLast.set(System.nanoTime());
                    }
                })
                .build()
                .start();
        try {
            if (!informer.awaitSynced(o.timeout())) {
                throw new IllegalStateException("our informer did not sync within " + o.timeout());
            }
            progress.say("watch-throughput: %,d label patches from %d writers", o.events(), o.writers());
            AtomicInteger next = new AtomicInteger();
            AtomicLong failures = new AtomicLong();
            long t0 = System.nanoTime();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < o.writers(); w++) {
                writers.add(Thread.ofVirtual().start(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < o.events()) {
                        String pod = PodLoader.podName(i % o.pods());
                        try {
                            int code = http.patchLabel(ns, pod, "bench-seq", Integer.toString(i))
                                    .statusCode();
                            if (code != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                        progress.tick("patches", Math.min(next.get(), o.events()), o.events());
                    }
                }));
            }
            for (Thread t : writers) {
                t.join();
            }
            long t1 = System.nanoTime();
            progress.done();
            long expected = o.events() - failures.get();
            long deadline = System.nanoTime() + o.timeout().toNanos();
            while ((oursEvents.get() < expected || rawEvents.get() < expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            WatchThroughputBench.Intake ours =
                    intake("ours/list-then-watch", oursEvents.get(), t0, oursLast.get(), t1, -1);
            WatchThroughputBench.Intake raw =
                    intake("raw watch (lines)", rawEvents.get(), t0, rawLast.get(), t1, rawBytes.get());
            double writeSeconds = (t1 - t0) / 1e9;
            return new WatchThroughputBench.Live(
                    o.pods(),
                    o.events(),
                    o.writers(),
                    writeSeconds,
                    o.events() / writeSeconds,
                    failures.get(),
                    ours,
                    raw,
                    ours.eventsPerSecond() / raw.eventsPerSecond());
        } finally {
            informer.close();
            api.close();
            rawStream.close();
            rawReader.join(5000);
            rawHttp.close();
        }
    }

    private static WatchThroughputBench.Intake intake(
            String who, long events, long t0, long last, long writesDone, long bytes) {
        double seconds = last == 0 ? Double.NaN : (last - t0) / 1e9;
        return new WatchThroughputBench.Intake(
                who, events, seconds, events / seconds, last == 0 ? Double.NaN : (last - writesDone) / 1e6, bytes);
    }
}
