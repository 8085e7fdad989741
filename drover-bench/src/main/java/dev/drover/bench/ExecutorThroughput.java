package dev.drover.bench;

import dev.drover.core.TaskState;

/**
 * The executor phase's throughput figures, held against the limits measured before it: launches/s
 * (and its first slots and best 5 s) from the bench watch's pod moments, tasks/s from the commits.
 */
final class ExecutorThroughput {
    private static final long WINDOW_NANOS = 5_000_000_000L;

    private ExecutorThroughput() {}

    /** {@code limit}: the best raw create rate; {@code bare}, {@code launchOnly}: null when skipped. */
    static ExecutorReport.ExecutorResult of(
            ExecutorBench.Options o,
            ExecutorRun.Outcome run,
            ExecutorPodWatch watch,
            double limit,
            ExecutorBareLifecycle.Result bare,
            ExecutorLaunchOnly.Result launchOnly) {
        long firstSubmit = run.firstSubmit();
        long succeeded = run.times().values().stream()
                .filter(t -> t.state == TaskState.SUCCEEDED)
                .count();
        long failed = run.times().values().stream()
                .filter(t -> t.state != null && t.state != TaskState.SUCCEEDED)
                .count();
        long notFinished = o.tasks() - succeeded - failed;
        long lastPodSeen =
                watch.pods().values().stream().mapToLong(s -> s.added).max().orElse(firstSubmit);
        double wall = (run.lastCommit() - firstSubmit) / 1e9;
        double launchSeconds = (lastPodSeen - firstSubmit) / 1e9;
        double launchRate = watch.added() / launchSeconds;
        long[] addedTimes = watch.pods().values().stream()
                .mapToLong(s -> s.added)
                .filter(t -> t >= firstSubmit)
                .sorted()
                .toArray();
        // Before any slot frees: the first min(parallelism, tasks) pods, from the first submit.
        int firstSlots = Math.min(Math.min(o.parallelism(), o.tasks()), addedTimes.length);
        double firstSlotsRate =
                firstSlots == 0 ? Double.NaN : firstSlots / ((addedTimes[firstSlots - 1] - firstSubmit) / 1e9);
        double submitSeconds = (run.submitEnd() - firstSubmit) / 1e9;
        double tasksPerSecond = (succeeded + failed) / wall;
        return new ExecutorReport.ExecutorResult(
                o.tasks(),
                succeeded,
                failed,
                notFinished,
                submitSeconds,
                o.tasks() / submitSeconds,
                wall,
                tasksPerSecond,
                launchSeconds,
                launchRate,
                limit,
                launchRate / limit,
                bare == null ? Double.NaN : bare.tasksPerSecond(),
                bare == null ? Double.NaN : tasksPerSecond / bare.tasksPerSecond(),
                launchOnly == null ? Double.NaN : launchOnly.launchesPerSecond(),
                launchOnly == null ? Double.NaN : launchOnly.launchesPerSecond() / limit,
                firstSlotsRate,
                bestWindowRate(addedTimes),
                run.maxInFlight(),
                run.cpu().jvmSeconds(),
                run.cpu().apiServerSeconds(),
                run.cpu().etcdSeconds());
    }

    /**
     * The most pods created within any 5 s, ÷ 5: what the launch path reaches when nothing holds it
     * back. NaN for a launch shorter than 5 s, which has no such window.
     */
    static double bestWindowRate(long[] sortedTimes) {
        int peak = 0;
        for (int i = 0, j = 0; j < sortedTimes.length; j++) {
            while (sortedTimes[j] - sortedTimes[i] > WINDOW_NANOS) {
                i++;
            }
            peak = Math.max(peak, j - i + 1);
        }
        boolean longEnough =
                sortedTimes.length > 1 && sortedTimes[sortedTimes.length - 1] - sortedTimes[0] >= WINDOW_NANOS;
        return longEnough ? peak / 5.0 : Double.NaN;
    }
}
