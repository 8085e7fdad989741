package dev.drover.core;

import dev.drover.kube.PodView;
import dev.drover.kube.PodView.ContainerView;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A pure function from a pod's lean view (and whether it came as a DELETED delta) to an {@link
 * Outcome}. Follows Airflow's {@code KubernetesJobWatcher.process_status}, and goes further: a
 * Pending pod says which pending rule its wait matches (the engine applies the rule's grace and
 * action), failure details name the failing container (init containers first, native sidecars
 * never), its exit code and reason.
 */
final class PodClassifier {
    /** The waiting reasons the older setting {@code fatalWaitingReasons} named by default. */
    static final Set<String> DEFAULT_FATAL_REASONS = Set.of(
            "CreateContainerConfigError",
            "ErrImagePull",
            "CreateContainerError",
            "ImageInspectError",
            "InvalidImageName");

    /** What a sidecar stopped by the kubelet after the main containers ended exits with (SIGTERM). */
    static final int SIGTERM_EXIT = 143;

    /**
     * Pod-level reasons of a try the node ended, not its work: evicted (node pressure), the node
     * lost or shut down, a critical pod preempting it, or the kubelet unable to admit it.
     */
    static final Set<String> NODE_REASONS =
            Set.of("Evicted", "NodeLost", "NodeShutdown", "Preempting", "UnexpectedAdmissionError", "Shutdown");

    private final PendingRules rules;

    PodClassifier() {
        this(PendingRules.defaults());
    }

    PodClassifier(PendingRules rules) {
        this.rules = rules;
    }

    Outcome classify(PodView pod, boolean deleted) {
        return classify(pod, deleted, List::of);
    }

    /** {@code events}: the pod's recent Events, asked for only when a rule looks at them. */
    Outcome classify(PodView pod, boolean deleted, Supplier<List<String>> events) {
        Outcome o = classifyWork(pod, deleted, events);
        if (o instanceof Outcome.Failed f && f.endedBy() == null) {
            String by = endedBy(pod);
            return by == null ? o : new Outcome.Failed(f.details(), by);
        }
        return o;
    }

    /**
     * Who ended the pod when it was the cluster and not the work: the node (a pod-level reason such
     * as Evicted, NodeLost, UnexpectedAdmissionError), or whoever set the DisruptionTarget
     * condition (preemption, the taint manager, the pod GC, the eviction API); null otherwise.
     */
    static String endedBy(PodView pod) {
        if (pod.reason() != null && NODE_REASONS.contains(pod.reason())) {
            return "the node: " + pod.reason() + said(pod.message());
        }
        if (pod.disruptionReason() != null) {
            return "the cluster: " + pod.disruptionReason() + said(pod.disruptionMessage());
        }
        return null;
    }

    private static String said(String message) {
        return message == null || message.isBlank() ? "" : " (" + message.strip() + ")";
    }

    private Outcome classifyWork(PodView pod, boolean deleted, Supplier<List<String>> events) {
        if (pod.labels().containsKey(PodLabels.REVOKED)) {
            return new Outcome.Ignored("revoked");
        }
        if (deleted) {
            if (!pod.deleting()) {
                return new Outcome.LeftSelector();
            }
            return switch (pod.phase() == null ? "" : pod.phase()) {
                case "Succeeded" -> new Outcome.Succeeded();
                case "Failed" -> new Outcome.Failed(failureOf(pod));
                default ->
                    new Outcome.Failed(FailureDetails.of(
                            "DeletedBeforeCompletion",
                            "the pod was deleted while " + (pod.phase() == null ? "Pending" : pod.phase())));
            };
        }
        String phase = pod.phase() == null ? "Pending" : pod.phase();
        if (pod.deleting() && phase.equals("Failed")) {
            // The kubelet stopped the containers because the pod is being deleted: that is the cause.
            FailureDetails d = failureOf(pod);
            return new Outcome.Failed(new FailureDetails(
                    "DeletedBeforeCompletion",
                    "the pod was deleted while running"
                            + (d.container() == null
                                    ? ""
                                    : "; container " + d.container() + " ended with " + d.reason()
                                            + (d.exitCode() == null ? "" : " (exit code " + d.exitCode() + ")")),
                    d.container(),
                    d.exitCode(),
                    null,
                    null));
        }
        if (pod.deletionFinal() && !phase.equals("Failed") && !phase.equals("Succeeded")) {
            // Deleted, and its kubelet (or the apiserver, for a pod never placed) is done with it;
            // only a finalizer keeps it: it will never run on.
            FailureDetails d = failureOf(pod);
            return new Outcome.Failed(new FailureDetails(
                    "DeletedBeforeCompletion",
                    "the pod was deleted while " + phase,
                    d.container(),
                    d.exitCode(),
                    null,
                    null));
        }
        if ("ProviderFailed".equals(pod.reason()) && !phase.equals("Succeeded")) {
            // The node's provider (e.g. a virtual kubelet) could not run the pod, whatever its phase says.
            return new Outcome.Failed(new FailureDetails("ProviderFailed", pod.message(), null, null, null, null));
        }
        if (phase.equals("Failed") && onlySidecarsStoppedAfterTheMainContainers(pod)) {
            return new Outcome.Succeeded();
        }
        return switch (phase) {
            case "Pending" -> pending(pod, events);
            case "Running" -> new Outcome.Running();
            case "Succeeded" -> new Outcome.Succeeded();
            case "Failed" -> new Outcome.Failed(failureOf(pod));
            default -> new Outcome.Pending(null); // Unknown: the node lost contact; wait for news or a timeout
        };
    }

    /**
     * What a Pending pod waits for: the scheduler, if it has turned the pod down; else, init
     * containers first, the first waiting container whose rule gives up (fail, retry), else the
     * first whose rule waits, else the first waiting one.
     */
    private Outcome pending(PodView pod, Supplier<List<String>> events) {
        Supplier<List<String>> recent = rules.usesEvents() ? memo(events) : List::of;
        if (pod.notScheduledReason() != null) {
            String reason = pod.notScheduledReason();
            String message = pod.notScheduledMessage();
            return new Outcome.Pending(reason, message, null, rules.match(reason, message, recent.get()));
        }
        Outcome.Pending first = null;
        Outcome.Pending waits = null;
        for (ContainerView c : initFirst(pod)) {
            if (!"waiting".equals(c.state()) || c.reason() == null) {
                continue;
            }
            PendingRule r = rules.match(c.reason(), c.message(), recent.get());
            Outcome.Pending p = new Outcome.Pending(c.reason(), c.message(), c.name(), r);
            if (r != null && r.action() != PendingRule.Action.WAIT) {
                return p;
            }
            if (r != null && waits == null) {
                waits = p;
            }
            if (first == null) {
                first = p;
            }
        }
        return waits != null ? waits : first != null ? first : new Outcome.Pending(null);
    }

    private static Supplier<List<String>> memo(Supplier<List<String>> s) {
        List<List<String>> got = new java.util.ArrayList<>(1);
        return () -> {
            if (got.isEmpty()) {
                got.add(s.get());
            }
            return got.getFirst();
        };
    }

    /**
     * A Failed pod whose main containers all exited 0 and whose only failures are native sidecars
     * stopped afterwards (exit 143): the work succeeded.
     */
    private static boolean onlySidecarsStoppedAfterTheMainContainers(PodView pod) {
        if (pod.sidecars().isEmpty()
                || pod.containers().isEmpty()
                || (pod.reason() != null && !pod.reason().isBlank())) {
            return false;
        }
        boolean mainsSucceeded = pod.containers().stream()
                .allMatch(c ->
                        "terminated".equals(c.state()) && Integer.valueOf(0).equals(c.exitCode()));
        boolean othersFine = pod.initContainers().stream()
                .allMatch(c -> pod.isSidecar(c.name())
                        ? !"terminated".equals(c.state())
                                || c.exitCode() == null
                                || c.exitCode() == 0
                                || c.exitCode() == SIGTERM_EXIT
                        : "terminated".equals(c.state()) && Integer.valueOf(0).equals(c.exitCode()));
        return mainsSucceeded && othersFine;
    }

    /**
     * The pod's own reason when it has one; else, init containers first, the first terminated
     * container that failed; else the last waiting one.
     */
    static FailureDetails failureOf(PodView pod) {
        FailureDetails containers = containerFailureOf(pod);
        if (pod.reason() != null && !pod.reason().isBlank()) {
            // A pod-level reason (Evicted, DeadlineExceeded, NodeLost) explains the container's end too.
            return new FailureDetails(
                    pod.reason(),
                    pod.message(),
                    containers == null ? null : containers.container(),
                    containers == null ? null : containers.exitCode(),
                    null,
                    null);
        }
        if (pod.disruptionReason() != null) {
            // The cluster ended the pod (preemption, taint manager, pod GC): that explains the container's end.
            return new FailureDetails(
                    pod.disruptionReason(),
                    pod.disruptionMessage(),
                    containers == null ? null : containers.container(),
                    containers == null ? null : containers.exitCode(),
                    null,
                    null);
        }
        return containers != null ? containers : FailureDetails.of("Failed", pod.message());
    }

    private static FailureDetails containerFailureOf(PodView pod) {
        // Native sidecars are never blamed: they are stopped (exit 143) when the main containers end.
        List<ContainerView> all =
                initFirst(pod).stream().filter(c -> !isSidecar(pod, c)).toList();
        for (ContainerView c : all) {
            if ("terminated".equals(c.state())
                    && c.exitCode() != null
                    && c.exitCode() != 0
                    && !"Completed".equals(c.reason())) {
                return new FailureDetails(
                        c.reason() == null ? "Error" : c.reason(), c.message(), c.name(), c.exitCode(), null, null);
            }
        }
        ContainerView lastWaiting = null;
        for (ContainerView c : all) {
            if ("waiting".equals(c.state())) {
                lastWaiting = c;
            }
        }
        if (lastWaiting == null) {
            // Only a sidecar is left to say why (e.g. it never started and the pod gave up).
            for (ContainerView c : pod.initContainers()) {
                if (isSidecar(pod, c) && "waiting".equals(c.state())) {
                    lastWaiting = c;
                }
            }
        }
        if (lastWaiting != null) {
            return new FailureDetails(
                    lastWaiting.reason(), lastWaiting.message(), lastWaiting.name(), null, null, null);
        }
        return null;
    }

    private static boolean isSidecar(PodView pod, ContainerView c) {
        return pod.isSidecar(c.name()); // names are unique across a pod's containers
    }

    private static List<ContainerView> initFirst(PodView pod) {
        return Stream.concat(pod.initContainers().stream(), pod.containers().stream())
                .toList();
    }
}
