package dev.drover.core.launch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.core.task.FailureDetails;
import dev.drover.core.task.InvalidTaskException;
import dev.drover.core.task.Task;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a task's pod and sorts the answer: created, refused for good, or to be tried again.
 * Creation is idempotent: the pod name is derived from task id and try, so a create repeated after
 * a crash answers 409 and the existing pod, carrying our labels, is taken as ours.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);
    private final KubernetesClient client;
    private final String owner;
    private final Duration quotaRetry;

    public Launcher(KubernetesClient client, String owner, Duration quotaRetry) {
        this.client = client;
        this.owner = owner;
        this.quotaRetry = quotaRetry;
    }

    public LaunchResult launch(Task task) {
        JsonNode json;
        try {
            json = PodFactory.build(task.spec(), task.id(), task.tryNumber(), owner);
        } catch (InvalidTaskException e) {
            return new LaunchResult.Rejected(FailureDetails.of("InvalidSpec", e.getMessage()));
        }
        Pod pod = client.getKubernetesSerialization().convertValue(json, Pod.class);
        String name = pod.getMetadata().getName();
        String ns = task.spec().namespace();
        try {
            client.pods().inNamespace(ns).resource(pod).create();
            return new LaunchResult.Created(name, false);
        } catch (KubernetesClientException e) {
            return sort(e, task, ns, name);
        }
    }

    private LaunchResult sort(KubernetesClientException e, Task task, String ns, String name) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
        int code = e.getCode();
        if (code == 409) {
            Pod existing = client.pods().inNamespace(ns).withName(name).get();
            if (existing != null && isOurs(existing, task)) {
                log.info("pod {}/{} already existed and is ours: adopting it", ns, name);
                return new LaunchResult.Created(name, true);
            }
            return new LaunchResult.Rejected(FailureDetails.of(
                    "NameTaken", "a pod named " + name + " exists in " + ns + " and does not belong to this task"));
        }
        if (code == 400 || code == 422) {
            return new LaunchResult.Rejected(FailureDetails.of("Invalid", message));
        }
        if (code == 403 && message != null && message.contains("exceeded quota")) {
            return new LaunchResult.Requeue(quotaRetry, "quota: " + message);
        }
        if (code == 403) {
            return new LaunchResult.Rejected(FailureDetails.of("Forbidden", message));
        }
        if (code == 404) {
            return new LaunchResult.Rejected(FailureDetails.of(
                    "NamespaceNotFound", "namespace " + ns + " does not exist; create it or set the task's namespace"));
        }
        // 429, 5xx, timeouts, no answer: the apiserver is busy or away; honour its Retry-After.
        Duration after = retryAfter(e).orElse(Duration.ofSeconds(1));
        return new LaunchResult.Requeue(after, code == 0 ? String.valueOf(e.getMessage()) : code + " " + message);
    }

    private boolean isOurs(Pod pod, Task task) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels != null
                && Objects.equals(labels.get(PodLabels.TASK_ID), task.id())
                && Objects.equals(labels.get(PodLabels.TRY), Integer.toString(task.tryNumber()));
    }

    private static java.util.Optional<Duration> retryAfter(KubernetesClientException e) {
        if (e.getStatus() != null
                && e.getStatus().getDetails() != null
                && e.getStatus().getDetails().getRetryAfterSeconds() != null) {
            return java.util.Optional.of(
                    Duration.ofSeconds(e.getStatus().getDetails().getRetryAfterSeconds()));
        }
        return java.util.Optional.empty();
    }
}
