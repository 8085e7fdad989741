package dev.drover.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one pod should do on a simulated node, parsed from the {@code sim.drover.dev/behavior}
 * annotation by {@link BehaviorGrammar}. Per-container maps are keyed by container name; the key
 * {@link #ALL_MAIN} ({@code ""}) stands for every main (non-init) container.
 */
record Behavior(
        Map<String, Duration> run,
        Map<String, Integer> exit,
        Map<String, List<String>> log,
        Set<String> oom,
        Map<String, Integer> pullThrottle,
        Set<String> pullFail,
        Set<String> configError,
        Set<String> invalidImage,
        Duration pullBackoff,
        Optional<Integer> initFail,
        Optional<Duration> evict,
        ProviderFailure providerFailure,
        Duration bindDelay,
        Optional<Duration> loseNode,
        Duration logDelay) {

    static final String ALL_MAIN = "";
    static final Duration DEFAULT_RUN = Duration.ofSeconds(1);
    static final Duration DEFAULT_PULL_BACKOFF = Duration.ofMillis(500);

    static final Behavior DEFAULT = new Behavior(
            Map.of(),
            Map.of(),
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
            Duration.ZERO);

    /** How a {@code provider-failed} pod's phase ends up (Virtual Kubelet's two cases). */
    enum ProviderFailure {
        NONE,
        /** phase stays Pending: what Virtual Kubelet writes unless restartPolicy is Never. */
        PENDING,
        /** phase Failed: what Virtual Kubelet writes for restartPolicy Never. */
        FAILED
    }

    /** Container names the behaviour addresses explicitly (to check them against the pod). */
    Set<String> namedContainers() {
        var names = new TreeSet<String>();
        for (var m : List.of(run.keySet(), exit.keySet(), log.keySet(), pullThrottle.keySet())) {
            names.addAll(m);
        }
        for (var s : List.of(oom, pullFail, configError, invalidImage)) {
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
                throttled == null ? 0 : throttled,
                addressed(pullFail, name, init),
                addressed(configError, name, init),
                addressed(invalidImage, name, init));
    }

    private static boolean addressed(Set<String> set, String name, boolean init) {
        return set.contains(name) || (!init && set.contains(ALL_MAIN));
    }

    /** Everything the simulated kubelet needs to know about one container. */
    record ContainerPlan(
            Duration run,
            int exitCode,
            boolean oomKilled,
            List<String> logLines,
            int pullFailures,
            boolean pullFailsForever,
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
