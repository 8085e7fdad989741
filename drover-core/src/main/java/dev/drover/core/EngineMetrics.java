package dev.drover.core;

import dev.drover.core.store.TransitionRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What the task engine did, as Micrometer meters: submissions, launches, outcomes and retries by
 * reason, and the two startup latencies. Reasons are tags only as Kubernetes-style words
 * ({@code Error}, {@code OOMKilled}, {@code StartupTimeout}) and at most {@value #MAX_REASONS} of
 * them: a free-text or endless set of reasons would make a series per task.
 */
final class EngineMetrics {
    static final int MAX_REASONS = 64;
    static final String OTHER = "Other";
    private static final Pattern REASON_WORD = Pattern.compile("[A-Z][A-Za-z0-9]{0,47}");

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter submitted;
    private final Timer submitToPod;
    private final Timer podToRunning;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> reasons = ConcurrentHashMap.newKeySet();

    EngineMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.submitted = Counter.builder("drover.tasks.submitted")
                .description("Tasks submitted (stored) through this Drover")
                .register(registry);
        // Percentile histograms: Prometheus computes quantiles over replicas from the buckets.
        this.submitToPod = Timer.builder("drover.tasks.submit.to.pod")
                .description("From a task's submit to its first try's pod create answered by the apiserver")
                .publishPercentileHistogram()
                .register(registry);
        this.podToRunning = Timer.builder("drover.tasks.pod.to.running")
                .description("From a pod's create answered to the first time the watch shows it Running")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** Meters that go nowhere: what a library user who gave no registry pays for. */
    static EngineMetrics none() {
        return new EngineMetrics(new CompositeMeterRegistry(), Clock.systemUTC());
    }

    void submitted(int tasks) {
        submitted.increment(tasks);
    }

    /** A create answered (on the launch's thread). */
    void launched(ActiveTask a, LaunchResult r) {
        String result = switch (r) {
            case LaunchResult.Created c -> c.alreadyExisted() ? "existed" : "created";
            case LaunchResult.Rejected x -> "rejected";
            case LaunchResult.Requeue x -> "requeued";
        };
        count("drover.tasks.launches", "Pod creates by result", "result", result);
        if (r instanceof LaunchResult.Created c && !c.alreadyExisted()) {
            a.podCreatedNanos = System.nanoTime();
            // Later tries start from the submit too, and would measure the earlier tries' runs.
            if (a.tryNumber == 1) {
                submitToPod.record(nonNegative(Duration.between(a.task.createdAt(), clock.instant())));
            }
        }
    }

    /** The watch shows the try's pod Running for the first time. */
    void running(ActiveTask a) {
        long created = a.podCreatedNanos;
        if (created != 0) { // 0: not created by this replica's launch (resumed, taken over)
            podToRunning.record(Duration.ofNanos(Math.max(0, System.nanoTime() - created)));
            a.podCreatedNanos = 0;
        }
    }

    /** A state change committed: terminal ones are outcomes, one to UP_FOR_RETRY a retry. */
    void moved(TransitionRequest r) {
        TaskState to = r.to();
        if (to == TaskState.UP_FOR_RETRY) {
            count(
                    "drover.tasks.retries",
                    "Tries that failed and are tried again, by budget (user: the task's retries,"
                            + " infrastructure: the cluster ended the try) and reason",
                    "kind",
                    r.infrastructure() ? "infrastructure" : "user",
                    "reason",
                    reason(r));
        } else if (to.isTerminal()) {
            count(
                    "drover.tasks.outcomes",
                    "Tasks that ended, by final state and reason (none unless failed)",
                    "state",
                    to.name().toLowerCase(Locale.ROOT),
                    "reason",
                    to == TaskState.FAILED ? reason(r) : "none");
        }
    }

    private String reason(TransitionRequest r) {
        return r.failure() == null ? OTHER : boundedReason(r.failure().reason());
    }

    /** The reason as a tag value: a Kubernetes-style word among the first {@value #MAX_REASONS} seen, else {@value #OTHER}. */
    String boundedReason(String reason) {
        if (reason == null || !REASON_WORD.matcher(reason).matches()) {
            return OTHER;
        }
        if (reasons.contains(reason)) {
            return reason;
        }
        synchronized (reasons) {
            if (reasons.size() >= MAX_REASONS) {
                return OTHER;
            }
            reasons.add(reason);
            return reason;
        }
    }

    private void count(String name, String description, String... tags) {
        String key = name + String.join(",", tags);
        counters.computeIfAbsent(
                        key,
                        k -> Counter.builder(name)
                                .description(description)
                                .tags(tags)
                                .register(registry))
                .increment();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d; // another replica's clock may run ahead
    }
}
