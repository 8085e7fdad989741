package dev.drover.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Each subcommand's --smoke run against its own test ground gives sane results (no timings asserted). */
class SmokeTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everySubcommandsSmokeRunGivesSaneResults() throws Exception {
        Progress progress = Progress.stderr();

        ResyncCommand resync = new ResyncCommand();
        new CommandLine(resync).parseArgs("--smoke");
        ResyncBench.Report r = resync.bench(progress);
        assertThat(r.sizes()).hasSize(1);
        ResyncBench.SizeResult size = r.sizes().get(0);
        assertThat(size.contenders()).hasSize(Contender.values().length);
        for (ResyncBench.ContenderSummary c : size.contenders()) {
            assertThat(c.errors()).as(c.contender()).isEmpty();
            ContenderResult run = c.runs().get(0);
            assertThat(run.lists()).as(c.contender() + " lists").isPositive();
            if (Contender.byLabel(c.contender()).raw()) {
                assertThat(run.bodyBytes()).as(c.contender()).isPositive();
            } else {
                assertThat(run.storedPods()).as(c.contender()).isEqualTo(size.pods());
                assertThat(run.watches()).as(c.contender() + " watches").isPositive();
            }
        }
        assertThat(ResyncTables.render(r)).contains("ours/list-then-watch", "fabric8-informer");

        WatchThroughputCommand watch = new WatchThroughputCommand();
        new CommandLine(watch).parseArgs("--smoke");
        WatchThroughputBench.Report w = watch.bench(progress);
        long written = w.live().events() - w.live().writeFailures();
        assertThat(written).isPositive();
        assertThat(w.live().ours().events()).isEqualTo(written);
        assertThat(w.live().raw().events()).isEqualTo(written);
        assertThat(w.replay().events()).isEqualTo(written);
        for (WatchThroughputBench.Intake i : w.replay().consumers()) {
            assertThat(i.events()).as(i.consumer()).isEqualTo(w.replay().events());
        }

        ChurnCommand churn = new ChurnCommand();
        new CommandLine(churn).parseArgs("--smoke");
        ChurnBench.Report c = churn.bench(progress);
        for (ChurnBench.VariantResult v : c.variants()) {
            assertThat(v.restarts()).as(v.variant() + " restarts").isPositive();
            assertThat(v.writesOk()).as(v.variant() + " writes").isPositive();
            ChurnBench.InformerOutcome ours = v.informers().get(0);
            assertThat(ours.informer()).startsWith("ours");
            assertThat(ours.missedInStore())
                    .as(v.variant() + ": store vs server")
                    .isZero();
            assertThat(ours.missedInDeltas())
                    .as(v.variant() + ": deltas vs server")
                    .isZero();
            assertThat(ours.relists())
                    .as(v.variant() + ": relists after restarts")
                    .isPositive();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void replicasSmokeRunGivesSaneResults() throws Exception {
        ReplicasCommand cmd = new ReplicasCommand();
        new CommandLine(cmd).parseArgs("--smoke");
        ReplicasReport r = cmd.bench(Progress.stderr());

        assertThat(r.failover()).hasSize(1);
        ReplicasFailover.Run f = r.failover().get(0);
        assertThat(f.error()).isNull();
        assertThat(f.orphans()).as("the victim held tasks in flight").isPositive();
        assertThat(f.takenOverBy().keySet()).as("heirs").isNotEmpty().doesNotContain(f.victim());
        assertThat(f.endedOnce()).as("every task ended exactly once").isEqualTo(f.tasks());
        assertThat(f.endedMoreThanOnce()).isZero();
        assertThat(f.notEnded()).isZero();
        assertThat(f.podsCreatedTwice()).isZero();
        assertThat(f.adoptedPods()).as("pods adopted from the victim").isPositive();
        assertThat(f.relabels()).isGreaterThanOrEqualTo(f.adoptedPods());
        assertThat(f.maxRelabelsPerPod())
                .as("accepted owner relabels per adopted pod")
                .isEqualTo(1);
        assertThat(f.takenOverSeconds()).isPositive();

        assertThat(r.scaleOut()).hasSize(2);
        for (ReplicasScaleOut.Run s : r.scaleOut()) {
            assertThat(s.error()).as(s.replicas() + " replicas").isNull();
            assertThat(s.succeeded()).as(s.replicas() + " replicas").isEqualTo(s.tasks());
            assertThat(s.endedMoreThanOnce()).isZero();
            assertThat(s.tasksPerSecond()).isPositive();
            assertThat(s.tasksByOwner()).hasSize(s.replicas());
            if (r.environment().pgStatStatements()) {
                assertThat(s.store().perTask().get("replica statements"))
                        .as("statements PostgreSQL counted per task")
                        .isPositive();
            }
        }
        assertThat(ReplicasTables.render(r)).contains("Failover", "Scale-out", "Store traffic per task");
        assertThat(OutputOptions.JSON.writeValueAsString(r)).contains("\"failoverSummary\"");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void serverSmokeRunGivesSaneResults() throws Exception {
        ServerBenchCommand cmd = new ServerBenchCommand();
        new CommandLine(cmd).parseArgs("--smoke");
        ServerBench.Report r = cmd.bench(Progress.stderr());

        assertThat(r.submit()).hasSize(ServerSubmitRate.Contender.values().length);
        for (ServerSubmitRate.Result s : r.submit()) {
            if (s.stored() < 0) {
                continue; // the HTTP floor stores nothing
            }
            assertThat(s.stored()).as(s.contender()).isEqualTo(s.tasks());
            assertThat(s.calls()).as(s.contender()).isEqualTo((s.tasks() + s.tasksPerCall() - 1) / s.tasksPerCall());
        }
        ServerReads.SizeResult reads = r.reads().getFirst();
        assertThat(reads.states().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(reads.tasks());
        assertThat(reads.reads()).allSatisfy(x -> {
            assertThat(x.httpMs().count()).as(x.read()).isPositive();
            assertThat(x.httpBytes()).as(x.read()).isPositive();
        });

        assertThat(r.fanOut()).hasSize(2);
        for (ServerFanOut.Result f : r.fanOut()) {
            assertThat(f.succeeded()).as(f.watchers() + " watchers").isEqualTo(f.tasks());
            assertThat(f.changes())
                    .as("at least queued, running, succeeded per task")
                    .isGreaterThanOrEqualTo(3L * f.tasks());
        }
        ServerFanOut.Result watched = r.fanOut().get(1);
        assertThat(watched.watchers()).isEqualTo(10);
        assertThat(watched.minPerWatcher()).as("every watcher got every change").isEqualTo(watched.changes());
        assertThat(watched.maxPerWatcher()).isEqualTo(watched.changes());
        assertThat(watched.missing()).isZero();
        assertThat(watched.duplicates()).isZero();
        assertThat(watched.unexpected()).isZero();
        assertThat(watched.brokenStreams()).isZero();
        assertThat(ServerTables.allDelivered(r)).isTrue();
        assertThat(ServerTables.render(r)).contains("Submit rate", "Reads", "Watch fan-out");
        ServerBench.Report back =
                OutputOptions.JSON.readValue(OutputOptions.JSON.writeValueAsString(r), ServerBench.Report.class);
        assertThat(ServerTables.render(back)).isEqualTo(ServerTables.render(r));
    }
}
