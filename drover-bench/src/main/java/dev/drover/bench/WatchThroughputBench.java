package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.testkit.TestGround;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

/**
 * Watch throughput. Live ({@link WatchThroughputLive}): with our informer synced on a namespace and
 * a raw watch of the same namespace open, many concurrent label patches; how fast each consumer
 * takes the events in. Replay ({@link WatchThroughputReplay}): the recorded list and watch stream
 * played back from memory over loopback HTTP, so each consumer runs as fast as its own decoding and
 * bookkeeping allow. {@link WatchThroughputTables} prints the report.
 */
final class WatchThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(int pods, int events, int writers, int replayRounds, Duration timeout) {}

    /** One consumer's intake. */
    record Intake(String consumer, long events, double seconds, double eventsPerSecond, double lagMillis, long bytes) {}

    record Live(
            int pods,
            int events,
            int writers,
            double writeSeconds,
            double writesPerSecond,
            long writeFailures,
            Intake ours,
            Intake raw,
            double oursToRaw) {}

    record Replay(long events, long streamBytes, List<Intake> consumers) {}

    record Report(Live live, Replay replay) {}

    private final Options o;
    private final Progress progress;

    WatchThroughputBench(Options o, Progress progress) {
        this.o = o;
        this.progress = progress;
    }

    Report run() throws Exception {
        progress.say("watch-throughput: starting a test ground");
        TestGround ground = TestGround.builder()
                // The watch cache must hold every event of the run, or a late watch would need a relist.
                .apiServerFlag("--watch-cache-sizes=pods#" + (o.events() + o.pods() + 1000))
                .apiServerFlag("--max-requests-inflight=1000")
                .apiServerFlag("--max-mutating-requests-inflight=1000")
                .build();
        try (ground) {
            ground.start();
            String ns = ground.createNamespace("watch-throughput");
            try (KubeHttp http = new KubeHttp(ground.masterUrl(), ground.adminToken(), "drover-bench-writer")) {
                PodLoader.create(http, List.of(ns), 0, o.pods(), 32, progress);
                byte[] listBody = readAll(http.open(KubeHttp.podsPath(ns)));
                String rv = JSON.readTree(listBody)
                        .path("metadata")
                        .path("resourceVersion")
                        .asText();
                WatchThroughputLive live = new WatchThroughputLive(o, progress);
                Live measured = live.run(ground, http, ns, rv);
                Replay replay = new WatchThroughputReplay(o, progress).run(listBody, live.recorded(), ns);
                return new Report(measured, replay);
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
