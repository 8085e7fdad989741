package dev.drover.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;

/** Pods for simulator tests, and ways to read what the simulator made of them. */
final class TestPods {
    private TestPods() {}

    static Container container(String name, String... command) {
        return new ContainerBuilder()
                .withName(name)
                .withImage("busybox:1.36")
                .withCommand(command)
                .build();
    }

    static Pod pod(String name, String behavior, Container... containers) {
        return pod(name, behavior, List.of(), List.of(containers));
    }

    static Pod pod(String name, String behavior, List<Container> init, List<Container> containers) {
        var b = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withInitContainers(init)
                .withContainers(containers)
                .endSpec();
        if (behavior != null) {
            b.editMetadata()
                    .addToAnnotations(NodeSimulator.BEHAVIOR_ANNOTATION, behavior)
                    .endMetadata();
        }
        return b.build();
    }

    static Pod create(KubernetesClient client, String ns, Pod pod) {
        return client.pods().inNamespace(ns).resource(pod).create();
    }

    static Pod get(KubernetesClient client, String ns, String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    static String phase(KubernetesClient client, String ns, String name) {
        Pod p = get(client, ns, name);
        return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + pod.getStatus()));
    }

    static ContainerStatus status(Pod pod, String container) {
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getName().equals(container))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no status of " + container));
    }

    static ContainerStatus initStatus(Pod pod, String container) {
        return pod.getStatus().getInitContainerStatuses().stream()
                .filter(s -> s.getName().equals(container))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no init status of " + container));
    }

    /** The pod's events, oldest first (names are {@code <pod>.<hex nanos>}, so name order is time order). */
    static List<Event> events(KubernetesClient client, String ns, String pod) {
        return client.v1().events().inNamespace(ns).withField("involvedObject.name", pod).list().getItems().stream()
                .sorted(Comparator.comparing((Event e) -> e.getMetadata().getName()))
                .toList();
    }

    static List<String> reasons(KubernetesClient client, String ns, String pod) {
        return events(client, ns, pod).stream().map(Event::getReason).toList();
    }

    /** The container's waiting reason, or null when it is not waiting (or has no status yet). */
    static String waitingReason(Pod pod, String container) {
        if (pod == null || pod.getStatus() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getName().equals(container) && s.getState().getWaiting() != null)
                .map(s -> s.getState().getWaiting().getReason())
                .findFirst()
                .orElse(null);
    }
}
