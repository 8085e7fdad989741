package dev.drover.bench;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Latency per task from two independent clocks in one JVM: the moments {@code
 * TaskHandle.onStateChange} reports (right after each store transition committed) and the moments the
 * benchmark's own plain watch saw the task's pod appear, end and go ({@link ExecutorPodWatch}).
 */
final class TaskLatency {
    static final String DEFINITION = "terminal status seen by the benchmark's own plain watch of the"
            + " namespace (first event with phase Succeeded/Failed, System.nanoTime on the watch thread) ->"
            + " TaskHandle.onStateChange with the terminal state (called right after the store transition"
            + " committed), same JVM";

    /** Commits slower than this are counted by the second their status came in. */
    private static final long SLOW_NANOS = 250_000_000L;

    /** What the benchmark records of one task; nanoTime, 0 while not seen. */
    static final class TaskTimes {
        volatile String id;
        volatile long submit;
        volatile long launching;
        volatile long running;
        volatile long committed;
        volatile TaskState state;

        void on(Task t) {
            long now = System.nanoTime();
            switch (t.state()) {
                case LAUNCHING -> {
                    if (launching == 0) {
                        launching = now;
                    }
                }
                case RUNNING -> {
                    if (running == 0) {
                        running = now;
                    }
                }
                default -> {
                    if (t.state().isTerminal() && committed == 0) {
                        committed = now;
                        state = t.state();
                    }
                }
            }
        }
    }

    /** The goal row and every stage's percentiles, in the order the table shows them. */
    record Measured(ExecutorReport.Latency latency, Map<String, ExecutorStats.Percentiles> stages) {}

    private TaskLatency() {}

    /** {@code run}: the simulator's run behaviour, named in its stage; {@code firstSubmit}: the run's start. */
    static Measured measure(Collection<TaskTimes> times, ExecutorPodWatch watch, long firstSubmit, String run) {
        Map<String, ExecutorPodWatch.PodSeen> byTask = new HashMap<>();
        for (ExecutorPodWatch.PodSeen s : watch.pods().values()) {
            if (s.taskId != null) {
                byTask.put(s.taskId, s);
            }
        }
        List<Long> claimed = new ArrayList<>();
        List<Long> created = new ArrayList<>();
        List<Long> running = new ArrayList<>();
        List<Long> simulated = new ArrayList<>();
        List<Long> terminalToCommit = new ArrayList<>();
        List<Long> cleanup = new ArrayList<>();
        List<Long> endToEnd = new ArrayList<>();
        long negative = 0;
        long missing = 0;
        Map<Long, Long> slow = new HashMap<>();
        for (TaskTimes t : times) {
            ExecutorPodWatch.PodSeen p = byTask.get(t.id);
            add(claimed, t.submit, t.launching);
            add(endToEnd, t.submit, t.committed);
            if (p == null) {
                missing++;
                continue;
            }
            add(created, t.launching, p.added);
            add(running, p.added, t.running);
            add(simulated, p.added, p.terminal);
            add(cleanup, t.committed, p.deleted);
            if (p.terminal != 0 && t.committed != 0) {
                long d = t.committed - p.terminal;
                terminalToCommit.add(d);
                if (d > SLOW_NANOS) {
                    slow.merge((p.terminal - firstSubmit) / 1_000_000_000L, 1L, Long::sum);
                }
                if (d < 0) {
                    negative++;
                }
            } else {
                missing++;
            }
        }
        Map<String, ExecutorStats.Percentiles> stages = new LinkedHashMap<>();
        stages.put("submit -> claimed (LAUNCHING)", percentiles(claimed));
        stages.put("claimed -> pod seen (create)", percentiles(created));
        stages.put("pod seen -> RUNNING committed", percentiles(running));
        stages.put("pod seen -> terminal status seen (simulator, run " + run + ")", percentiles(simulated));
        stages.put("terminal status seen -> committed", percentiles(terminalToCommit));
        stages.put("committed -> pod deleted seen (cleanup)", percentiles(cleanup));
        stages.put("submit -> committed (end to end)", percentiles(endToEnd));
        ExecutorReport.Latency latency =
                new ExecutorReport.Latency(DEFINITION, percentiles(terminalToCommit), negative, missing, top(slow, 10));
        return new Measured(latency, stages);
    }

    private static void add(List<Long> to, long from, long until) {
        if (from != 0 && until != 0) {
            to.add(until - from);
        }
    }

    static ExecutorStats.Percentiles percentiles(List<Long> nanos) {
        return ExecutorStats.percentiles(
                nanos.stream().mapToLong(Long::longValue).toArray());
    }

    /** The {@code n} largest entries, in order of key. */
    private static Map<Long, Long> top(Map<Long, Long> counts, int n) {
        Map<Long, Long> out = new TreeMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
