package dev.drover.sim;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet half: walks each pod bound to a simulated node through what a kubelet (v1.20) writes:
 * statuses, Events, graceful deletion, and the failures the pod's behaviour asks for. Runs on the
 * simulator's loop thread; timers, never threads, pace each pod.
 */
final class SimKubelet {
    private static final Logger log = LoggerFactory.getLogger(SimKubelet.class);
    private static final AtomicInteger IPS = new AtomicInteger();
    private static final String NORMAL = "Normal";
    private static final String WARNING = "Warning";

    private final SimLoop loop;
    private final ApiWriter api;
    private final SimCounters counters;
    private final KubeletServer server;
    private final boolean full;
    private final Consumer<String> loseNode;
    private final Predicate<String> nodeReady;
    private final StatusWriter status;
    private final Map<String, PodState> pods = new HashMap<>();
    private final Map<String, Integer> activeByNode = new HashMap<>();

    SimKubelet(
            SimLoop loop,
            ApiWriter api,
            SimCounters counters,
            KubeletServer server,
            Fidelity fidelity,
            Consumer<String> loseNode,
            Predicate<String> nodeReady) {
        this.loop = loop;
        this.api = api;
        this.counters = counters;
        this.server = server;
        this.full = fidelity == Fidelity.FULL;
        this.loseNode = loseNode;
        this.nodeReady = nodeReady;
        this.status = new StatusWriter(loop, counters, this::deleted);
    }

    /** Pods on {@code node} that have not ended, for the scheduler's spreading. */
    int active(String node) {
        return activeByNode.getOrDefault(node, 0);
    }

    // --- what the watch says ---

    /** A pod bound to one of our nodes appeared or changed. */
    void changed(Pod pod, String node) {
        PodState ps = pods.get(pod.getMetadata().getUid());
        if (ps == null) {
            ps = PodState.of(pod, node, new SerialWrites(api, loop));
            pods.put(ps.uid, ps);
            activeByNode.merge(node, 1, Integer::sum);
            server.register(ps.namespace, ps.name, ps.logs);
            if (nodeReady.test(node)) {
                start(ps, pod);
            } else {
                ps.frozen = true; // a lost node's kubelet never sees it
                ps.logs.loseNode(Instant.now());
            }
        }
        ps.latest = pod;
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            deletionRequested(ps);
        }
    }

    /** The pod is gone from the API. */
    void deleted(String uid) {
        PodState ps = pods.remove(uid);
        if (ps == null) {
            return;
        }
        ps.gone = true;
        ps.cancelTimers();
        if (!ps.finalDelete) {
            ps.writes.stop(); // else the final DELETE is last in line: let its reply be counted
        }
        ps.logs.loseNode(Instant.now()); // ends open follows
        server.unregister(ps.namespace, ps.name, ps.uid);
        if (!ps.terminal) {
            inactive(ps);
        }
    }

    /** After a relist: pods of {@code namespace} (null: all) not listed were deleted meanwhile. */
    void listed(String namespace, Set<String> uids) {
        for (PodState ps : List.copyOf(pods.values())) {
            if ((namespace == null || namespace.equals(ps.namespace)) && !uids.contains(ps.uid)) {
                deleted(ps.uid);
            }
        }
    }

    /** The node's kubelet died: its pods stop changing. */
    void nodeLost(String node) {
        Instant now = Instant.now();
        for (PodState ps : pods.values()) {
            if (ps.node.equals(node) && !ps.frozen) {
                // It decides nothing more; what it already sent on its way still arrives.
                ps.frozen = true;
                ps.cancelTimers();
                ps.logs.loseNode(now);
            }
        }
    }

    void close() {
        for (PodState ps : pods.values()) {
            ps.cancelTimers();
            ps.writes.stop();
            ps.logs.loseNode(Instant.now());
        }
    }

    // --- a pod's life ---

    /** First sight of a pod on our node: walk it from the start, or carry on from what the API shows. */
    private void start(PodState ps, Pod pod) {
        PodStatus st = pod.getStatus();
        String phase = st == null ? null : st.getPhase();
        if ("Succeeded".equals(phase)
                || "Failed".equals(phase)
                || (st != null && "ProviderFailed".equals(st.getReason()))) {
            // Ended (or as good as ended) before we saw it: nothing to do but honour a deletion.
            ps.terminal = true;
            ps.finishCounted = true;
            inactive(ps);
            return;
        }
        if (st != null && progressed(st)) {
            resume(ps, st);
        } else {
            admit(ps);
        }
    }

    private static boolean progressed(PodStatus st) {
        List<ContainerStatus> all = new ArrayList<>();
        if (st.getInitContainerStatuses() != null) {
            all.addAll(st.getInitContainerStatuses());
        }
        if (st.getContainerStatuses() != null) {
            all.addAll(st.getContainerStatuses());
        }
        return all.stream()
                .anyMatch(s -> s.getState() != null
                        && (s.getState().getRunning() != null || s.getState().getTerminated() != null));
    }

    private void admit(PodState ps) {
        Instant now = Instant.now();
        ps.startTime = now;
        if (ps.behavior.providerFailure() != Behavior.ProviderFailure.NONE) {
            providerFailed(ps, now);
            return;
        }
        if (ps.behavior.admissionError()) {
            rejected(ps, now);
            return;
        }
        if (full) {
            status.writeNow(ps); // the kubelet's first status: Pending, containers waiting
        }
        advance(ps);
    }

    /** A simulator restarted on the same node names: rebuild state from the status, don't walk again. */
    private void resume(PodState ps, PodStatus st) {
        Instant now = Instant.now();
        Instant start = KubeTime.parse(st.getStartTime());
        ps.startTime = start == null ? now : start;
        ps.podIP = st.getPodIP();
        Map<String, ContainerStatus> seen = new HashMap<>();
        for (List<ContainerStatus> l : Arrays.asList(st.getInitContainerStatuses(), st.getContainerStatuses())) {
            if (l != null) {
                l.forEach(s -> seen.put(s.getName(), s));
            }
        }
        ps.containers().forEach(c -> {
            ContainerStatus s = seen.get(c.name);
            if (s == null || s.getState() == null) {
                return;
            }
            var running = s.getState().getRunning();
            var done = s.getState().getTerminated();
            if (running != null || done != null) {
                c.begun = true;
                Instant started = KubeTime.parse(running != null ? running.getStartedAt() : done.getStartedAt());
                c.running(started == null ? now : started, s.getContainerID(), s.getImageID());
                if (done != null) {
                    Instant finished = KubeTime.parse(done.getFinishedAt());
                    c.exited(finished == null ? now : finished, done.getExitCode(), done.getReason());
                } else {
                    timer(ps, Duration.between(now, c.startedAt.plus(c.plan.run())), () -> exited(ps, c));
                }
            }
        });
        log.info("resuming pod {} on {} from its status", ps, ps.node);
        advance(ps);
    }

    /** Starts whatever may start now and notices when the pod runs or ends. Re-entrant calls fold into one. */
    private void advance(PodState ps) {
        if (ps.advancing) {
            ps.advanceAgain = true;
            return;
        }
        ps.advancing = true;
        try {
            do {
                ps.advanceAgain = false;
                step(ps);
            } while (ps.advanceAgain);
        } finally {
            ps.advancing = false;
        }
    }

    private void step(PodState ps) {
        if (!ps.active()) {
            return;
        }
        for (ContainerRun c : ps.init) {
            if (c.terminated()) {
                if (c.exitCode != 0) {
                    finish(ps); // restartPolicy Never: a failed init container fails the pod
                    return;
                }
                continue;
            }
            if (!c.begun) {
                begin(ps, c);
            }
            return; // init containers run one at a time
        }
        for (ContainerRun c : ps.main) {
            if (!c.begun) {
                begin(ps, c);
            }
        }
        boolean allStarted = ps.main.stream().allMatch(c -> c.running() || c.terminated());
        if (allStarted && !ps.runningReached) {
            ps.runningReached = true;
            counters.started.increment();
            if (!full) {
                status.request(ps);
            }
            ps.behavior.evict().ifPresent(d -> timer(ps, d, () -> evict(ps)));
            ps.behavior.loseNode().ifPresent(d -> timer(ps, d, () -> loseNode.accept(ps.node)));
            ps.behavior.disrupt().ifPresent(d -> timer(ps, d.after(), () -> disrupt(ps, d)));
        }
        if (ps.main.stream().allMatch(ContainerRun::terminated)) {
            finish(ps);
        }
    }

    private void begin(PodState ps, ContainerRun c) {
        c.begun = true;
        pull(ps, c);
    }

    private void pull(PodState ps, ContainerRun c) {
        if (!ps.active()) {
            return;
        }
        Instant now = Instant.now();
        Behavior.ContainerPlan plan = c.plan;
        String image = c.image;
        if (plan.invalidImage()) {
            String msg = "Failed to apply default image tag \"" + image + "\": couldn't parse image reference \""
                    + image + "\": invalid reference format";
            stuck(
                    ps,
                    c,
                    "InvalidImageName",
                    msg,
                    List.of(
                            new Event(WARNING, "InspectFailed", msg),
                            new Event(WARNING, "Failed", "Error: InvalidImageName")),
                    1);
            return;
        }
        if (plan.neverPull()) {
            // imagePullPolicy Never (as if) and the image is not on the node: no pull, ever.
            String msg = "Container image \"" + image + "\" is not present with pull policy of Never";
            stuck(
                    ps,
                    c,
                    "ErrImageNeverPull",
                    msg,
                    List.of(
                            new Event(WARNING, "ErrImageNeverPull", msg),
                            new Event(WARNING, "Failed", "Error: ErrImageNeverPull")),
                    1);
            return;
        }
        boolean fails = plan.pullFailsForever() || c.pullAttempts < plan.pullFailures();
        boolean mustPull = plan.pullFailsForever() || plan.pullFailures() > 0 || "Always".equals(c.pullPolicy);
        if (!mustPull) {
            event(ps, c, NORMAL, "Pulled", "Container image \"" + image + "\" already present on machine", now);
            create(ps, c);
            return;
        }
        c.pullAttempts++;
        event(ps, c, NORMAL, "Pulling", "Pulling image \"" + image + "\"", now);
        if (!fails) {
            // Pulls take no time here; the message still reads like a kubelet's, with some duration.
            Duration took = Duration.ofMillis(100 + (now.toEpochMilli() % 900));
            event(
                    ps,
                    c,
                    NORMAL,
                    "Pulled",
                    "Successfully pulled image \"" + image + "\" in " + KubeTime.goDuration(took),
                    now);
            create(ps, c);
            return;
        }
        String err = plan.pullMessage() != null
                ? plan.pullMessage()
                : plan.pullFailsForever()
                        ? "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image
                                + "\": failed to resolve reference \"" + image + "\": not found"
                        : "pull QPS exceeded";
        c.waiting("ErrImagePull", err);
        event(ps, c, WARNING, "Failed", "Failed to pull image \"" + image + "\": " + err, now);
        event(ps, c, WARNING, "Failed", "Error: ErrImagePull", now);
        boolean firstAttempt = c.pullAttempts == 1;
        if (full || firstAttempt) {
            status.request(ps);
        }
        Duration backoff = backoff(ps.behavior.pullBackoff(), c.pullAttempts);
        timer(ps, backoff.dividedBy(2), () -> {
            String msg = "Back-off pulling image \"" + image + "\"";
            c.waiting("ImagePullBackOff", msg);
            Instant t = Instant.now();
            event(ps, c, NORMAL, "BackOff", msg, t);
            event(ps, c, WARNING, "Failed", "Error: ImagePullBackOff", t);
            if (full || firstAttempt) {
                status.request(ps);
            }
        });
        if (full || !plan.pullFailsForever()) {
            timer(ps, backoff, () -> pull(ps, c));
        }
    }

    /** The image is there: create and start the container, or fail to create it. */
    private void create(PodState ps, ContainerRun c) {
        Instant now = Instant.now();
        if (c.plan.configError()) {
            String msg = "configmap \"" + c.name + "-config\" not found";
            stuck(ps, c, "CreateContainerConfigError", msg, List.of(new Event(WARNING, "Failed", "Error: " + msg)), 1);
            return;
        }
        event(ps, c, NORMAL, "Created", "Created container " + c.name, now);
        event(ps, c, NORMAL, "Started", "Started container " + c.name, now);
        c.running(now, ContainerIds.containerId(), ContainerIds.imageId(c.image));
        if (ps.podIP == null) {
            int n = IPS.getAndIncrement();
            ps.podIP = "10.244." + ((n / 254) % 256) + "." + (n % 254 + 1);
        }
        if (full) {
            status.request(ps);
        }
        timer(ps, c.plan.run(), () -> exited(ps, c));
        advance(ps);
    }

    /** A container that can never start: waiting with {@code reason}; the kubelet repeats its events. */
    private void stuck(PodState ps, ContainerRun c, String reason, String message, List<Event> events, int attempt) {
        Instant now = Instant.now();
        if (attempt == 1) {
            c.waiting(reason, message);
            status.request(ps);
        }
        events.forEach(e -> event(ps, c, e.type(), e.reason(), e.message(), now));
        if (full) {
            timer(
                    ps,
                    backoff(ps.behavior.pullBackoff(), attempt),
                    () -> stuck(ps, c, reason, message, events, attempt + 1));
        }
    }

    private void exited(PodState ps, ContainerRun c) {
        if (!ps.active() || !c.running()) {
            return;
        }
        c.exited(Instant.now(), c.plan.exitCode(), c.plan.terminatedReason());
        if (full) {
            if (c.init) {
                status.writeNow(ps); // the status a kubelet writes before starting the next container
            } else {
                status.request(ps);
            }
        }
        advance(ps);
    }

    private void finish(PodState ps) {
        if (ps.terminal) {
            return;
        }
        ps.terminal = true;
        ps.cancelTimers();
        inactive(ps);
        status.request(ps);
    }

    private void evict(PodState ps) {
        if (!ps.active()) {
            return;
        }
        Instant now = Instant.now();
        String victim = ps.main.get(0).name;
        String msg = "The node was low on resource: memory. Container " + victim
                + " was using 1048576Ki, which exceeds its request of 0. ";
        ps.phaseOverride = "Failed";
        ps.reason = "Evicted";
        ps.message = msg;
        event(ps, null, WARNING, "Evicted", msg, now);
        // Hard eviction kills with no grace period.
        kill(ps, 137, now);
        finish(ps);
    }

    /** The kubelet's admission refused the pod (a device plugin's allocation failed): Failed, nothing started. */
    private void rejected(PodState ps, Instant now) {
        String why = "Allocate failed due to no healthy devices present; cannot allocate unhealthy devices"
                + " sim.drover.dev/device, which is unexpected";
        ps.phaseOverride = "Failed";
        ps.reason = "UnexpectedAdmissionError";
        ps.message = "Pod was rejected: " + why;
        ps.statusWithoutContainers = true;
        event(ps, null, WARNING, "UnexpectedAdmissionError", why, now);
        finish(ps);
    }

    /**
     * A disruption of a running pod: the {@code DisruptionTarget} condition, as the scheduler, the
     * Eviction API or the taint manager write it before they delete the pod gracefully; or, for
     * {@code TerminationByKubelet}, the kubelet's graceful node shutdown, which fails the pod itself.
     */
    private void disrupt(PodState ps, Behavior.Disruption d) {
        if (!ps.active()) {
            return;
        }
        String scheduler = ps.latest.getSpec().getSchedulerName();
        ps.disruptionReason = d.reason().reason;
        ps.disruptionMessage = d.reason().message(scheduler == null ? "default-scheduler" : scheduler);
        if (d.reason() == Behavior.DisruptionReason.TERMINATION_BY_KUBELET) {
            Instant now = Instant.now();
            ps.phaseOverride = "Failed";
            ps.reason = "Terminated";
            ps.message = Behavior.NODE_SHUTDOWN_MESSAGE;
            kill(ps, 143, now);
            finish(ps);
            return;
        }
        status.writeNow(ps);
        // A graceful delete (the pod's terminationGracePeriodSeconds); the kubelet takes it from there.
        String body =
                "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"preconditions\":{\"uid\":\"" + ps.uid + "\"}}";
        ps.writes.add(new ApiWriter.Request("delete", "DELETE", ps.path(), "application/json", body), reply -> {
            if (!reply.ok() && reply.code() != 404 && reply.code() != 409) {
                log.warn("disruption delete of pod {} failed: {} {}", ps, reply.code(), reply.body());
            }
        });
    }

    private void providerFailed(PodState ps, Instant now) {
        ps.phaseOverride = ps.behavior.providerFailure() == Behavior.ProviderFailure.FAILED ? "Failed" : "Pending";
        ps.reason = "ProviderFailed";
        ps.message = "simulated provider failure: the provider could not create the pod's containers";
        ps.statusWithoutContainers = true;
        event(ps, null, WARNING, "ProviderCreateFailed", ps.message, now);
        finish(ps);
    }

    private void kill(PodState ps, int exitCode, Instant now) {
        ps.containers().filter(ContainerRun::running).forEach(c -> {
            event(ps, c, NORMAL, "Killing", "Stopping container " + c.name, now);
            c.terminated(now, exitCode, "Error");
        });
    }

    /** Graceful deletion: stop what runs (SIGTERM: 143; no grace: 137), report, then remove the pod. */
    private void deletionRequested(PodState ps) {
        if (ps.deleting || ps.frozen || ps.gone) {
            return;
        }
        ps.deleting = true;
        ps.cancelTimers();
        if (!ps.terminal) {
            Instant now = Instant.now();
            Long grace = ps.latest.getMetadata().getDeletionGracePeriodSeconds();
            kill(ps, grace != null && grace == 0 ? 137 : 143, now);
            // As kubelets since 1.27 do: a pod stopped before it ended is made terminal, containers
            // that never started included, so a pod held by a finalizer does not stay Pending.
            ps.containers()
                    .filter(c -> !c.terminated())
                    .forEach(c -> c.unknown(now, "The container could not be located when the pod was terminated"));
            ps.terminal = true;
            inactive(ps);
            status.writeNow(ps);
        }
        if (!full && removedByTheApiServer(ps.latest)) {
            return; // LEAN: the kubelet's final delete would only answer 404
        }
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"gracePeriodSeconds\":0,"
                + "\"preconditions\":{\"uid\":\"" + ps.uid + "\"}}";
        ps.finalDelete = true;
        ps.writes.add(new ApiWriter.Request("delete", "DELETE", ps.path(), "application/json", body), reply -> {
            if (reply.ok()) {
                counters.deleted.increment();
            } else if (reply.code() != 404 && reply.code() != 409) {
                log.warn("final delete of pod {} failed: {} {}", ps, reply.code(), reply.body());
            }
        });
    }

    /**
     * A delete with no grace period (e.g. of a pod that has ended: the apiserver makes the grace 0
     * then) and no finalizers: the apiserver removed the pod in the same request.
     */
    private static boolean removedByTheApiServer(io.fabric8.kubernetes.api.model.Pod pod) {
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        List<String> finalizers = pod.getMetadata().getFinalizers();
        return grace != null && grace == 0 && (finalizers == null || finalizers.isEmpty());
    }

    private void inactive(PodState ps) {
        activeByNode.computeIfPresent(ps.node, (k, v) -> v > 1 ? v - 1 : null);
    }

    // --- writing ---

    private void event(PodState ps, ContainerRun c, String type, String reason, String message, Instant now) {
        if (full) {
            EventRecorder.kubelet(ps, c, type, reason, message, now);
        }
    }

    private void timer(PodState ps, Duration delay, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(delay, task);
        if (f != null) {
            ps.timers.removeIf(ScheduledFuture::isDone);
            ps.timers.add(f);
        }
    }

    /** The kubelet's image back-off, scaled down: base, doubling per attempt, at most 16 × base. */
    static Duration backoff(Duration base, int attempt) {
        return base.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 4));
    }

    private record Event(String type, String reason, String message) {}
}
