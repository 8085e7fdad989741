package dev.drover.bench;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "watch-throughput",
        mixinStandardHelpOptions = true,
        description = {
            "Live: our informer synced on a namespace and a raw watch of it, while concurrent label patches",
            "run; events/s each takes in. Replay: the recorded stream played back from memory to ours, the",
            "peers' informers and raw readers, so each runs at its own decoding speed."
        })
final class WatchThroughputCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @Option(
            names = "--events",
            defaultValue = "50000",
            description = "Label patches to drive (default ${DEFAULT-VALUE}).")
    int events;

    @Option(
            names = "--pods",
            defaultValue = "1000",
            description = "Pods the patches go round (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(
            names = "--writers",
            defaultValue = "32",
            description = "Concurrent patch writers (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--replay-rounds", defaultValue = "3", description = "Replays per consumer; the best counts.")
    int replayRounds;

    WatchThroughputBench.Options options() {
        return out.smoke
                ? new WatchThroughputBench.Options(100, 2000, 16, 2, Duration.ofSeconds(60))
                : new WatchThroughputBench.Options(pods, events, writers, replayRounds, Duration.ofMinutes(5));
    }

    WatchThroughputBench.Report bench(Progress progress) throws Exception {
        return new WatchThroughputBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        WatchThroughputBench.Report r = bench(Progress.stderr());
        out.print(r, WatchThroughputTables.render(r));
        boolean ok = r.live().ours().events() == r.live().events() - r.live().writeFailures();
        return ok ? 0 : 1;
    }
}
