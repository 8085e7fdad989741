package dev.drover.core;

import dev.drover.kube.PodView;
import dev.drover.kube.PodView.ContainerView;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A pure function from a pod's lean view (and whether it came as a DELETED delta) to an {@link
 * Outcome}. Follows Airflow's {@code KubernetesJobWatcher.process_status}, and goes further:
 * registry throttling is not fatal, failure details name the failing container (init containers
 * first), its exit code and reason.
 */
final class PodClassifier {
    /** Waiting reasons that make a Pending pod hopeless. */
    static final Set<String> DEFAULT_FATAL_REASONS = Set.of(
            "CreateContainerConfigError",
            "ErrImagePull",
            "CreateContainerError",
            "ImageInspectError",
            "InvalidImageName");

    /** What the kubelet reports when the registry rate-limits pulls: transient, retried by the kubelet. */
    static final String REGISTRY_THROTTLED = "pull QPS exceeded";

    private final Set<String> fatalReasons;

    PodClassifier() {
        this(DEFAULT_FATAL_REASONS);
    }

    PodClassifier(Set<String> fatalReasons) {
        this.fatalReasons = Set.copyOf(fatalReasons);
    }

    Outcome classify(PodView pod, boolean deleted) {
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
        return switch (phase) {
            case "Pending" -> pending(pod);
            case "Running" -> new Outcome.Running();
            case "Succeeded" -> new Outcome.Succeeded();
            case "Failed" -> new Outcome.Failed(failureOf(pod));
            default -> new Outcome.Pending(null); // Unknown: the node lost contact; wait for news or a timeout
        };
    }

    private Outcome pending(PodView pod) {
        if ("ProviderFailed".equals(pod.reason())) {
            return new Outcome.Failed(new FailureDetails("ProviderFailed", pod.message(), null, null, null, null));
        }
        String firstWaiting = null;
        for (ContainerView c : initFirst(pod)) {
            if (!"waiting".equals(c.state()) || c.reason() == null) {
                continue;
            }
            if (firstWaiting == null) {
                firstWaiting = c.reason();
            }
            if (fatalReasons.contains(c.reason()) && !isThrottled(c)) {
                return new Outcome.Failed(new FailureDetails(c.reason(), c.message(), c.name(), null, null, null));
            }
        }
        return new Outcome.Pending(firstWaiting);
    }

    private static boolean isThrottled(ContainerView c) {
        return "ErrImagePull".equals(c.reason())
                && c.message() != null
                && c.message().contains(REGISTRY_THROTTLED);
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
        return containers != null ? containers : FailureDetails.of("Failed", pod.message());
    }

    private static FailureDetails containerFailureOf(PodView pod) {
        List<ContainerView> all = initFirst(pod);
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
        if (lastWaiting != null) {
            return new FailureDetails(
                    lastWaiting.reason(), lastWaiting.message(), lastWaiting.name(), null, null, null);
        }
        return null;
    }

    private static List<ContainerView> initFirst(PodView pod) {
        return Stream.concat(pod.initContainers().stream(), pod.containers().stream())
                .toList();
    }
}
