package dev.drover.bench;

import java.util.List;

/** The watch-throughput tables: live intake of ours and the raw watch, then the replay's consumers. */
final class WatchThroughputTables {
    private WatchThroughputTables() {}

    static String render(WatchThroughputBench.Report r) {
        WatchThroughputBench.Live l = r.live();
        StringBuilder sb = new StringBuilder();
        Table live = new Table(
                String.format(
                        "watch-throughput, live: %,d label patches over %,d pods from %d writers in %.1f s (%,.0f writes/s, %d failed)",
                        l.events(), l.pods(), l.writers(), l.writeSeconds(), l.writesPerSecond(), l.writeFailures()),
                "consumer",
                "events",
                "seconds",
                "events/s",
                "lag after last write ms");
        for (WatchThroughputBench.Intake i : List.of(l.ours(), l.raw())) {
            live.row(
                    i.consumer(),
                    i.events(),
                    Table.num(i.seconds(), 2),
                    Table.num(i.eventsPerSecond(), 0),
                    Table.num(i.lagMillis(), 0));
        }
        sb.append(live.render()).append(String.format("ours ÷ raw (events/s): %.2f×%n%n", l.oursToRaw()));
        WatchThroughputBench.Replay p = r.replay();
        double rawRate = p.consumers().get(0).eventsPerSecond();
        Table replay = new Table(
                String.format(
                        "watch-throughput, replay: the recorded %,d events (%,.1f MB) played back from memory over loopback",
                        p.events(), p.streamBytes() / 1e6),
                "consumer",
                "events",
                "seconds",
                "events/s",
                "MB/s",
                "÷ raw lines");
        for (WatchThroughputBench.Intake i : p.consumers()) {
            replay.row(
                    i.consumer(),
                    i.events(),
                    Table.num(i.seconds(), 3),
                    Table.num(i.eventsPerSecond(), 0),
                    Table.num(p.streamBytes() / 1e6 / i.seconds(), 0),
                    Table.ratio(i.eventsPerSecond() / rawRate));
        }
        sb.append(replay.render());
        return sb.toString();
    }
}
