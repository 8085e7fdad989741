package dev.drover.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code executor --smoke --results on,off} on its own test ground gives sane results: every task
 * succeeded in both executor phases, one pod create per task, one log read per task with archiving
 * on and none with it off, no per-task GET or LIST, figures present. No timing is asserted.
 */
class ExecutorBenchSmokeTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void smokeRunGivesSaneResults() throws Exception {
        ExecutorCommand cmd = new ExecutorCommand();
        new CommandLine(cmd).parseArgs("--smoke", "--results", "on,off");
        ExecutorReport r = cmd.bench(Progress.stderr());
        int tasks = r.options().tasks();

        assertThat(r.options().results()).isEqualTo("on");
        assertThat(r.executor().succeeded()).as("tasks SUCCEEDED").isEqualTo(tasks);
        assertThat(r.executor().failed()).isZero();
        assertThat(r.executor().notFinished()).isZero();

        // raw limit measured with every client asked for, each all its pods
        assertThat(r.raw()).hasSize(r.options().rawClients().size());
        for (ExecutorRawCreates.Result raw : r.raw()) {
            assertThat(raw.pods()).isEqualTo(r.options().rawPods());
            assertThat(raw.createsPerSecond()).as(raw.client()).isPositive();
        }
        // the two other limits ran, each with all its pods
        assertThat(r.launchOnly().tasks()).isEqualTo(tasks);
        assertThat(r.launchOnly().launchesPerSecond()).isPositive();
        assertThat(r.bare().pods()).isEqualTo(tasks);
        assertThat(r.bare().tasksPerSecond()).isPositive();
        assertThat(r.bare().deleteFailures()).isZero();
        assertThat(r.executor().bareRatio()).isPositive();
        assertThat(r.cpuMsPerPod()).containsKeys("kube-apiserver, bare lifecycle", "kube-apiserver, executor task");
        assertThat(r.executor().launchesPerSecond()).isPositive();
        assertThat(r.executor().tasksPerSecond()).isPositive();

        // the independent watch saw every pod end, and every task has a latency sample
        assertThat(r.latency().terminalToCommit().count()).isEqualTo(tasks);
        assertThat(r.latency().missing()).isZero();

        // the apiserver's account of the executor's requests (audit log, its namespace)
        ExecutorReport.PerTask p = r.perTask();
        assertThat(p.creates()).as("pod creates == tasks").isEqualTo(tasks);
        assertThat(p.patches()).as("pod patches ≤ tasks").isLessThanOrEqualTo(tasks);
        assertThat(p.deletes()).as("pod deletes ≤ tasks").isLessThanOrEqualTo(tasks);
        // No per-task reads: lists and watches are per namespace (pods + events informers), no GET at all.
        assertThat(p.lists()).as("LISTs (per namespace, not per task)").isLessThanOrEqualTo(2);
        assertThat(p.watches()).as("WATCHes (per namespace, not per task)").isLessThan(tasks / 10);

        // the /metrics delta agrees with the audit log on creates (nobody else creates pods there)
        long metricCreates = r.metricsDelta().stream()
                .filter(row -> row.verb().equals("POST")
                        && row.resource().equals("pods")
                        && row.subresource().isEmpty())
                .mapToLong(ExecutorReport.ApiRow::count)
                .sum();
        assertThat(metricCreates).isEqualTo(tasks);

        assertThat(ExecutorTables.render(r))
                .contains(
                        "launch-only launches/s",
                        "bare lifecycles/s",
                        "executor launches/s",
                        "terminal status seen -> committed");
        assertThat(OutputOptions.JSON.writeValueAsString(r)).contains("\"perTask\"");

        // with the finalizer and log archiving on: each pod's one container's log read once
        assertThat(p.logGets()).as("pod log GETs with archiving on").isEqualTo(tasks);
        assertThat(p.byVerb()).containsEntry("GET pods/log", (long) tasks);

        // the same phase with them off ran too, and its table compares the two
        assertThat(r.otherStores()).hasSize(1);
        ExecutorReport off = r.otherStores().getFirst();
        assertThat(off.options().results()).isEqualTo("off");
        assertThat(off.executor().succeeded())
                .as("tasks SUCCEEDED, results off")
                .isEqualTo(tasks);
        assertThat(off.perTask().creates()).isEqualTo(tasks);
        assertThat(off.perTask().logGets())
                .as("pod log GETs with archiving off")
                .isZero();
        assertThat(off.perTask().gets()).as("pod GETs, results off").isZero();
        assertThat(ExecutorTables.render(r))
                .contains("on against off", "tasks/s on ÷ off", "by verb and subresource", "GET pods/log");

        // last, so every other check has run: no pod GET at all
        assertThat(p.gets())
                .as("executor pod GETs (a read before a patch or delete would show here)")
                .isZero();
    }
}
