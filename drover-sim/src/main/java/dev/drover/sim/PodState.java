package dev.drover.sim;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Stream;

/** Everything the simulated kubelet knows about one pod; owned by the simulator's loop thread. */
final class PodState {
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

    boolean admitted;
    boolean runningReached;
    boolean terminal;
    boolean finishCounted;
    boolean deleting;
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

    PodState(Pod pod, String node, Behavior behavior, List<ContainerRun> init, List<ContainerRun> main, SerialWrites writes) {
        this.uid = pod.getMetadata().getUid();
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.node = node;
        this.behavior = behavior;
        this.init = List.copyOf(init);
        this.main = List.copyOf(main);
        this.writes = writes;
        this.latest = pod;
        this.logs = new PodLogs(
                uid, node, containers().map(c -> c.log).toList());
    }

    Stream<ContainerRun> containers() {
        return Stream.concat(init.stream(), main.stream());
    }

    /** Still moving: not ended, not being deleted, on a live node, still in the API. */
    boolean active() {
        return !terminal && !deleting && !frozen && !gone;
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
