package dev.drover.sim;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What one pod should do on a simulated node, parsed from the {@code sim.drover.dev/behavior}
 * annotation by {@link BehaviorGrammar}. Per-container maps are keyed by container name; the key
 * {@link #ALL_MAIN} ({@code ""}) stands for every main (non-init) container.
 */
record Behavior(
        Map<String, Duration> run,
        Map<String, Integer> exit,
        Map<String, List<String>> log,
        Map<String, Long> logBytes,
        Set<String> oom,
        Map<String, Integer> pullThrottle,
        Set<String> pullFail,
        Map<String, String> pullMessage,
        Set<String> neverPull,
        Set<String> configError,
        Set<String> invalidImage,
        Duration pullBackoff,
        Optional<Integer> initFail,
        Optional<Duration> evict,
        ProviderFailure providerFailure,
        Duration bindDelay,
        Optional<Duration> loseNode,
        Duration logDelay,
        Optional<Disruption> disrupt,
        boolean admissionError,
        Optional<Duration> schedulingGate,
        Optional<Duration> unschedulable) {

    static final String ALL_MAIN = "";
    static final Duration DEFAULT_RUN = Duration.ofSeconds(1);
    static final Duration DEFAULT_PULL_BACKOFF = Duration.ofMillis(500);
    /** A scheduling hold without a duration: the pod is never bound. */
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    static final Behavior DEFAULT = new Behavior(
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of(),
            Set.of(),
            Map.of(),
            Set.of(),
            Map.of(),
            Set.of(),
            Set.of(),
            Set.of(),
            DEFAULT_PULL_BACKOFF,
            Optional.empty(),
            Optional.empty(),
            ProviderFailure.NONE,
            Duration.ZERO,
            Optional.empty(),
            Duration.ZERO,
            Optional.empty(),
            false,
            Optional.empty(),
            Optional.empty());

    /** How a {@code provider-failed} pod's phase ends up (Virtual Kubelet's two cases). */
    enum ProviderFailure {
        NONE,
        /** phase stays Pending: what Virtual Kubelet writes unless restartPolicy is Never. */
        PENDING,
        /** phase Failed: what Virtual Kubelet writes for restartPolicy Never. */
        FAILED
    }

    /**
     * A disruption a control-plane component (or the kubelet) decides on {@code after} the main
     * containers started: the {@code DisruptionTarget} condition with {@code reason}, then a graceful
     * delete (or, for {@link DisruptionReason#TERMINATION_BY_KUBELET}, the kubelet's own shutdown).
     */
    record Disruption(DisruptionReason reason, Duration after) {}

    /** The reasons of the {@code DisruptionTarget} pod condition (Kubernetes 1.26+), with their writers' messages. */
    enum DisruptionReason {
        PREEMPTION_BY_SCHEDULER("PreemptionByScheduler"),
        EVICTION_BY_EVICTION_API("EvictionByEvictionAPI"),
        DELETION_BY_TAINT_MANAGER("DeletionByTaintManager"),
        TERMINATION_BY_KUBELET("TerminationByKubelet");

        final String reason;

        DisruptionReason(String reason) {
            this.reason = reason;
        }

        /** The condition message the component that sets this reason writes. */
        String message(String schedulerName) {
            return switch (this) {
                case PREEMPTION_BY_SCHEDULER -> schedulerName + ": preempting to accommodate a higher priority pod";
                case EVICTION_BY_EVICTION_API -> "Eviction API: evicting";
                case DELETION_BY_TAINT_MANAGER -> "Taint manager: deleting due to NoExecute taint";
                case TERMINATION_BY_KUBELET -> NODE_SHUTDOWN_MESSAGE;
            };
        }
    }

    /** What the kubelet's graceful node shutdown writes as the message of the pods it stops. */
    static final String NODE_SHUTDOWN_MESSAGE = "Pod was terminated in response to imminent node shutdown.";

    /** Container names the behaviour addresses explicitly (to check them against the pod). */
    Set<String> namedContainers() {
        var names = new TreeSet<String>();
        for (var m : List.of(
                run.keySet(),
                exit.keySet(),
                log.keySet(),
                logBytes.keySet(),
                pullThrottle.keySet(),
                pullMessage.keySet())) {
            names.addAll(m);
        }
        for (var s : List.of(oom, pullFail, neverPull, configError, invalidImage)) {
            names.addAll(s);
        }
        names.remove(ALL_MAIN);
        return names;
    }

    /**
     * The plan for one container. {@code firstInit} marks the first init container, the one
     * {@code init-fail} addresses.
     */
    ContainerPlan planFor(String name, boolean init, boolean firstInit, List<String> defaultLog) {
        boolean oomKilled = addressed(oom, name, init);
        Integer code = exit.get(name);
        if (code == null && !init) {
            code = exit.get(ALL_MAIN);
        }
        if (code == null && firstInit && initFail.isPresent()) {
            code = initFail.get();
        }
        if (oomKilled) {
            code = 137;
        }
        List<String> lines = log.get(name);
        if (lines == null && !init) {
            lines = log.get(ALL_MAIN);
        }
        Long bytes = logBytes.get(name);
        if (bytes == null && !init) {
            bytes = logBytes.get(ALL_MAIN);
        }
        String pullMsg = pullMessage.get(name);
        if (pullMsg == null && !init) {
            pullMsg = pullMessage.get(ALL_MAIN);
        }
        Duration runFor = run.getOrDefault(name, run.getOrDefault(ALL_MAIN, DEFAULT_RUN));
        Integer throttled = pullThrottle.get(name);
        if (throttled == null && !init) {
            throttled = pullThrottle.get(ALL_MAIN);
        }
        return new ContainerPlan(
                runFor,
                code == null ? 0 : code,
                oomKilled,
                lines == null ? defaultLog : lines,
                bytes == null ? NO_GENERATED_LOG : bytes,
                throttled == null ? 0 : throttled,
                addressed(pullFail, name, init),
                pullMsg,
                addressed(neverPull, name, init),
                addressed(configError, name, init),
                addressed(invalidImage, name, init));
    }

    private static boolean addressed(Set<String> set, String name, boolean init) {
        return set.contains(name) || (!init && set.contains(ALL_MAIN));
    }

    /** {@link ContainerPlan#logBytes()} when the container logs its {@code logLines} instead. */
    static final long NO_GENERATED_LOG = -1;

    /**
     * Everything the simulated kubelet needs to know about one container. {@code logBytes} is the
     * size of a generated log ({@link SimLogs}) that replaces {@code logLines}, or {@link
     * #NO_GENERATED_LOG}; {@code pullMessage} is the failing pulls' message, null for the default.
     */
    record ContainerPlan(
            Duration run,
            int exitCode,
            boolean oomKilled,
            List<String> logLines,
            long logBytes,
            int pullFailures,
            boolean pullFailsForever,
            @Nullable String pullMessage,
            boolean neverPull,
            boolean configError,
            boolean invalidImage) {

        /** The reason a runtime gives a terminated container. */
        String terminatedReason() {
            if (oomKilled) {
                return "OOMKilled";
            }
            return exitCode == 0 ? "Completed" : "Error";
        }
    }
}
