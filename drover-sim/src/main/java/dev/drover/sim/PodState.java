package dev.drover.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything the simulated kubelet knows about one pod; owned by the simulator's loop thread. */
final class PodState {
    private static final Logger log = LoggerFactory.getLogger(PodState.class);

    final String uid;
    final String namespace;
    final String name;
    final String node;
    final Behavior behavior;
    final List<ContainerRun> init;
    final List<ContainerRun> main;
    final PodLogs logs;
    final SerialWrites writes;

    /** The pod as last seen on the watch (resourceVersion, deletion, foreign conditions). */
    Pod latest;

    Instant startTime;
    String podIP;
    /** Pod-level outcome a kubelet sets itself: Evicted, ProviderFailed. */
    String phaseOverride;

    String reason;
    String message;
    /** Pod-level failures that report no containers or kubelet conditions (ProviderFailed, admission). */
    boolean statusWithoutContainers;
    /** The {@code DisruptionTarget} condition's reason and message, once a disruption is decided. */
    String disruptionReason;

    String disruptionMessage;

    boolean runningReached;
    boolean terminal;
    boolean finishCounted;
    boolean deleting;
    /** The kubelet-style final DELETE is queued (its reply still to be counted). */
    boolean finalDelete;

    boolean frozen;
    boolean gone;

    boolean advancing;
    boolean advanceAgain;
    boolean statusRequested;
    String lastStatus;

    /** Kubelet-owned condition type → its status and when it last changed. */
    final Map<String, ConditionMark> conditions = new HashMap<>();
    /** Event correlator: identity of an event → the Event object counting its repeats. */
    final Map<String, EventSeries> events = new HashMap<>();

    final List<ScheduledFuture<?>> timers = new ArrayList<>();

    record ConditionMark(String status, Instant since) {}

    static final class EventSeries {
        final String name;
        final Instant first;
        int count = 1;

        EventSeries(String name, Instant first) {
            this.name = name;
            this.first = first;
        }
    }

    PodState(
            Pod pod,
            String node,
            Behavior behavior,
            List<ContainerRun> init,
            List<ContainerRun> main,
            SerialWrites writes) {
        this.uid = pod.getMetadata().getUid();
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.node = node;
        this.behavior = behavior;
        this.init = List.copyOf(init);
        this.main = List.copyOf(main);
        this.writes = writes;
        this.latest = pod;
        this.logs = new PodLogs(uid, node, containers().map(c -> c.log).toList(), behavior.logDelay());
    }

    /** The state of a pod first seen on {@code node}; a bad behaviour annotation is logged and ignored. */
    static PodState of(Pod pod, String node, SerialWrites writes) {
        String where =
                pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        BehaviorGrammar.Parsed parsed = BehaviorGrammar.parse(SimScheduler.annotation(pod));
        Behavior behavior = parsed.behavior();
        if (!parsed.ok()) {
            log.warn(
                    "pod {}: ignoring annotation {}: {}; running it with the default behaviour. Accepted: {}",
                    where,
                    NodeSimulator.BEHAVIOR_ANNOTATION,
                    String.join("; ", parsed.problems()),
                    BehaviorGrammar.FORMS);
        }
        List<Container> initSpecs = pod.getSpec().getInitContainers() == null
                ? List.of()
                : pod.getSpec().getInitContainers();
        List<Container> mainSpecs = pod.getSpec().getContainers();
        Set<String> names = new HashSet<>();
        initSpecs.forEach(c -> names.add(c.getName()));
        mainSpecs.forEach(c -> names.add(c.getName()));
        Set<String> unknown = new HashSet<>(behavior.namedContainers());
        unknown.removeAll(names);
        if (!unknown.isEmpty()) {
            log.warn(
                    "pod {}: annotation {} names containers {} the pod does not have; running it with the default"
                            + " behaviour",
                    where,
                    NodeSimulator.BEHAVIOR_ANNOTATION,
                    unknown);
            behavior = Behavior.DEFAULT;
        }
        List<ContainerRun> init = new ArrayList<>();
        for (int i = 0; i < initSpecs.size(); i++) {
            init.add(run(initSpecs.get(i), true, i == 0, behavior));
        }
        List<ContainerRun> main = new ArrayList<>();
        for (Container c : mainSpecs) {
            main.add(run(c, false, false, behavior));
        }
        PodState ps = new PodState(pod, node, behavior, init, main, writes);
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                Instant since = KubeTime.parse(c.getLastTransitionTime());
                ps.conditions.put(
                        c.getType(), new PodState.ConditionMark(c.getStatus(), since == null ? Instant.now() : since));
            }
        }
        return ps;
    }

    private static ContainerRun run(Container c, boolean init, boolean firstInit, Behavior behavior) {
        List<String> words = new ArrayList<>();
        if (c.getCommand() != null) {
            words.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            words.addAll(c.getArgs());
        }
        List<String> defaultLog = words.isEmpty() ? List.of() : List.of(String.join(" ", words));
        return new ContainerRun(
                c.getName(),
                init,
                c.getImage(),
                c.getImagePullPolicy(),
                behavior.planFor(c.getName(), init, firstInit, defaultLog));
    }

    Stream<ContainerRun> containers() {
        return Stream.concat(init.stream(), main.stream());
    }

    /** Still moving: not ended, not being deleted, on a live node, still in the API. */
    boolean active() {
        return !terminal && !deleting && !frozen && !gone;
    }

    /** {@code /api/v1/namespaces/<ns>/pods/<name>} */
    String path() {
        return "/api/v1/namespaces/" + namespace + "/pods/" + name;
    }

    String resourceVersion() {
        return latest.getMetadata().getResourceVersion();
    }

    void cancelTimers() {
        timers.forEach(t -> t.cancel(false));
        timers.clear();
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
