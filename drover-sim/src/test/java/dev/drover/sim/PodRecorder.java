package dev.drover.sim;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Watches a namespace's pods and keeps every version seen, to assert on what happened in between. */
final class PodRecorder implements AutoCloseable {
    private final List<Pod> seen = new ArrayList<>();
    private final Watch watch;

    PodRecorder(KubernetesClient client, String namespace) {
        watch = client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                synchronized (seen) {
                    seen.add(pod);
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    /** Every version of pod {@code name} seen so far, oldest first. */
    List<Pod> versions(String name) {
        synchronized (seen) {
            return seen.stream()
                    .filter(p -> p.getMetadata().getName().equals(name))
                    .toList();
        }
    }

    /** The phases pod {@code name} went through, repeats collapsed. */
    List<String> phases(String name) {
        return collapse(
                versions(name).stream().map(p -> p.getStatus().getPhase()).toList());
    }

    /** The waiting reasons (or "running"/"terminated") container {@code c} went through, repeats collapsed. */
    List<String> states(String name, String container) {
        List<String> out = new ArrayList<>();
        for (Pod p : versions(name)) {
            List<ContainerStatus> all = new ArrayList<>();
            if (p.getStatus().getInitContainerStatuses() != null) {
                all.addAll(p.getStatus().getInitContainerStatuses());
            }
            if (p.getStatus().getContainerStatuses() != null) {
                all.addAll(p.getStatus().getContainerStatuses());
            }
            all.stream()
                    .filter(s -> s.getName().equals(container))
                    .findFirst()
                    .map(PodRecorder::state)
                    .ifPresent(out::add);
        }
        return collapse(out);
    }

    static String state(ContainerStatus s) {
        if (s.getState().getRunning() != null) {
            return "running";
        }
        if (s.getState().getTerminated() != null) {
            return "terminated:" + s.getState().getTerminated().getReason();
        }
        return s.getState().getWaiting() == null
                ? "?"
                : s.getState().getWaiting().getReason();
    }

    private static List<String> collapse(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (out.isEmpty() || !Objects.equals(out.get(out.size() - 1), v)) {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public void close() {
        watch.close();
    }
}
