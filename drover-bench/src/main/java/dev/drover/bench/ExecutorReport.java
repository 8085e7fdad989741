package dev.drover.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the executor benchmark found: the JSON report ({@code --output json}, {@code --save-json}) and
 * the source of {@link ExecutorTables}: the data, its assembly and the goals judged from it; the
 * phases and meters that fill it live in their own files.
 */
record ExecutorReport(
        ExecutorBench.Options options,
        Environment environment,
        List<ExecutorRawCreates.Result> raw,
        ExecutorBareLifecycle.Result bare,
        ExecutorLaunchOnly.Result launchOnly,
        Map<String, Double> cpuMsPerPod,
        ExecutorResult executor,
        Latency latency,
        Map<String, ExecutorStats.Percentiles> stages,
        PerTask perTask,
        List<ApiRow> metricsDelta,
        List<ApiRow> auditByClient,
        Map<String, Long> simulatorWrites,
        List<Goal> goals,
        List<Sample> timeline,
        Map<String, Long> benchWatch,
        Map<String, Double> benchCpuByThreadGroup,
        Map<String, ExecutorStats.Percentiles> apiServerTimeMs,
        List<ExecutorReport> otherStores,
        LogsBench.Report logs) {

    /**
     * This report with the executor phase's reports on the other stores and results settings of
     * {@code --store a,b --results on,off} (stores outer; empty for one of each; null in reports
     * saved before stores could be compared).
     */
    ExecutorReport withOtherStores(List<ExecutorReport> others) {
        return with(List.copyOf(others), logs);
    }

    /** This report with the log phases' ({@code --logs}; null without). */
    ExecutorReport withLogs(LogsBench.Report logsReport) {
        return with(otherStores, logsReport);
    }

    private ExecutorReport with(List<ExecutorReport> others, LogsBench.Report logsReport) {
        return new ExecutorReport(
                options,
                environment,
                raw,
                bare,
                launchOnly,
                cpuMsPerPod,
                executor,
                latency,
                stages,
                perTask,
                metricsDelta,
                auditByClient,
                simulatorWrites,
                goals,
                timeline,
                benchWatch,
                benchCpuByThreadGroup,
                apiServerTimeMs,
                others,
                logsReport);
    }

    /** The machine while the run went on. */
    record Environment(
            int cores,
            String java,
            String startedAt,
            double loadAtStart,
            double loadBeforeExecutor,
            double loadAtEnd,
            double groundStartSeconds) {}

    /** The executor phase. */
    record ExecutorResult(
            int tasks,
            long succeeded,
            long failed,
            long notFinished,
            double submitSeconds,
            double submitsPerSecond,
            double wallSeconds,
            double tasksPerSecond,
            double launchSeconds,
            double launchesPerSecond,
            double limitCreatesPerSecond,
            double launchRatio,
            double bareTasksPerSecond,
            double bareRatio,
            double launchOnlyPerSecond,
            double launchOnlyRatio,
            double firstSlotsLaunchesPerSecond,
            double peakLaunchesPerSecond5s,
            int maxInFlight,
            double benchCpuSeconds,
            double apiServerCpuSeconds,
            double etcdCpuSeconds) {}

    /**
     * Latency from terminal status to committed state; {@code negative}: commit before our watch saw
     * it; {@code slowBySecond}: commits over 250 ms by the second of the run their status came in
     * (the ten busiest seconds), to tell a steady tail from a few stalls.
     */
    record Latency(
            String definition,
            ExecutorStats.Percentiles terminalToCommit,
            long negative,
            long missing,
            Map<Long, Long> slowBySecond) {}

    /** A row of request counts. */
    record ApiRow(String client, String verb, String resource, String subresource, String code, long count) {}

    /**
     * The executor's requests per task, from the audit log (both of its clients, its namespace only):
     * {@code gets} are of pods themselves, {@code logGets} of their log subresource ({@code GET
     * pods/<p>/log}); {@code byVerb}: every request by "VERB resource[/subresource]", codes summed.
     */
    record PerTask(
            long creates,
            long patches,
            long deletes,
            long gets,
            long lists,
            long watches,
            long other,
            double createsPerTask,
            double patchesPerTask,
            double deletesPerTask,
            double getsPerTask,
            double listsPerTask,
            long logGets,
            double logGetsPerTask,
            Map<String, Long> byVerb) {}

    record Goal(String what, String measured, String goal, boolean met) {}

    /** One second of the executor phase. */
    record Sample(double t, long submitted, long podsSeen, long terminalSeen, long committed, int inFlight) {}

    /** Puts the report together from the phases' results and the executor run's measurements. */
    static ExecutorReport of(
            ExecutorBench.Options o,
            Environment env,
            List<ExecutorRawCreates.Result> raw,
            ExecutorBareLifecycle.Result bare,
            ExecutorLaunchOnly.Result launchOnly,
            Map<String, Double> cpuMsPerPod,
            double limit,
            ExecutorRun.Outcome run,
            ExecutorPodWatch watch) {
        ExecutorResult exec = ExecutorThroughput.of(o, run, watch, limit, bare, launchOnly);
        TaskLatency.Measured latency = TaskLatency.measure(run.times().values(), watch, run.firstSubmit(), o.run());
        PerTask perTask = ExecutorRequests.perTask(run.audit(), o.tasks());
        Map<String, Long> benchWatch = new LinkedHashMap<>();
        benchWatch.put("events", watch.events());
        benchWatch.put("reconnects", watch.reconnects());
        benchWatch.put("gaps (410)", watch.gaps());
        long finished = Math.max(1, exec.succeeded() + exec.failed());
        cpuMsPerPod.put("kube-apiserver, executor task", run.cpu().apiServerMsPer(finished));
        cpuMsPerPod.put("etcd, executor task", run.cpu().etcdMsPer(finished));
        cpuMsPerPod.put(
                "bench JVM, executor task (executor + simulator + bench watch)",
                run.cpu().jvmMsPer(finished));
        return new ExecutorReport(
                o,
                env,
                raw,
                bare,
                launchOnly,
                cpuMsPerPod,
                exec,
                latency.latency(),
                latency.stages(),
                perTask,
                ExecutorRequests.rows("all clients", run.metricsDelta()),
                ExecutorRequests.rows(run.audit()),
                run.simulatorWrites(),
                goals(exec, latency.latency(), perTask, o.resultsOn()),
                run.timeline(),
                benchWatch,
                run.benchCpuByThreadGroup(),
                run.apiServerTimeMs(),
                List.of(),
                null);
    }

    /**
     * The goals, each with what was measured; {@code resultsOn}: the finalizer and log
     * archiving were on, so each task's one container has its log read once.
     */
    static List<Goal> goals(ExecutorResult e, Latency l, PerTask p, boolean resultsOn) {
        List<Goal> g = new ArrayList<>();
        if (!Double.isNaN(e.launchOnlyRatio())) {
            g.add(new Goal(
                    "launch-only launches/s ÷ raw creates/s",
                    Table.ratio(e.launchOnlyRatio()),
                    "≥ 0.80×",
                    e.launchOnlyRatio() >= 0.8));
        }
        double tasksRatio = e.tasksPerSecond() / e.limitCreatesPerSecond();
        g.add(new Goal(
                "tasks/s ÷ raw creates/s (see CPU per pod)", Table.ratio(tasksRatio), "≥ 0.80×", tasksRatio >= 0.8));
        if (!Double.isNaN(e.bareRatio())) {
            g.add(new Goal(
                    "tasks/s ÷ bare lifecycle tasks/s", Table.ratio(e.bareRatio()), "≥ 0.80×", e.bareRatio() >= 0.8));
        }
        g.add(new Goal(
                "terminal status -> committed p50",
                Table.num(l.terminalToCommit().p50(), 1) + " ms",
                "≤ 50 ms",
                l.terminalToCommit().p50() <= 50));
        g.add(new Goal(
                "terminal status -> committed p99",
                Table.num(l.terminalToCommit().p99(), 1) + " ms",
                "≤ 250 ms",
                l.terminalToCommit().p99() <= 250));
        g.add(new Goal("pod creates per task", Table.num(p.createsPerTask(), 3), "1", p.creates() == e.tasks()));
        g.add(new Goal("pod patches per task", Table.num(p.patchesPerTask(), 3), "≤ 1", p.patchesPerTask() <= 1));
        g.add(new Goal("pod deletes per task", Table.num(p.deletesPerTask(), 3), "≤ 1", p.deletesPerTask() <= 1));
        long containers = resultsOn ? e.tasks() : 0; // the bench's pods have one container each
        g.add(new Goal(
                "pod log GETs per task",
                Table.num(p.logGetsPerTask(), 3),
                resultsOn ? "= containers (1)" : "0 (archiving off)",
                p.logGets() == containers));
        // The informers' initial lists (pods, events of the namespace) are per namespace, not per task.
        g.add(new Goal(
                "pod GET / LIST (whole run)",
                p.gets() + " / " + p.lists(),
                "0 GET, LIST per namespace only (≤ 2)",
                p.gets() == 0 && p.lists() <= 2));
        return g;
    }
}
