package dev.drover.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import dev.drover.kube.ResourceType;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a task's pod and sorts the answer: created, refused for good, or to be tried again.
 * Creation is idempotent: the pod name is derived from task id and try, so a create repeated after
 * a crash answers 409 and the existing pod, carrying our labels, is taken as ours.
 *
 * <p>One POST through {@link KubeApi}, whose answer body is not decoded: a client library that
 * turns every created pod back into objects spends more CPU on that than on the request.
 */
final class PodLauncher implements Launcher {
    private static final Logger log = LoggerFactory.getLogger(PodLauncher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KubeApi api;
    private final String owner;
    private final Duration quotaRetry;
    private final boolean finalizer;

    PodLauncher(KubeApi api, String owner, Duration quotaRetry, boolean finalizer) {
        this.api = api;
        this.owner = owner;
        this.quotaRetry = quotaRetry;
        this.finalizer = finalizer;
    }

    @Override
    public LaunchResult launch(Task task) {
        JsonNode pod;
        try {
            pod = PodFactory.build(task.spec(), task.id(), task.tryNumber(), owner, finalizer);
        } catch (InvalidTaskException e) {
            return new LaunchResult.Rejected(FailureDetails.of("InvalidSpec", e.getMessage()));
        }
        String name = pod.path("metadata").path("name").asText();
        String ns = task.spec().namespace();
        try {
            int code = api.create(ResourceType.PODS.path(ns), pod.toString());
            if (code == 404) {
                return new LaunchResult.Rejected(FailureDetails.of(
                        "NamespaceNotFound",
                        "namespace " + ns + " does not exist; create it or set the task's namespace"));
            }
            return new LaunchResult.Created(name, false);
        } catch (ApiException e) {
            return sort(e, task, ns, name);
        }
    }

    private LaunchResult sort(ApiException e, Task task, String ns, String name) {
        String message = e.statusMessage();
        int code = e.code();
        if (code == 409) {
            if (isOurs(ns, name, task)) {
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
        // 429 (after KubeApi sat out the Retry-Afters it was given), 5xx, timeouts, no answer: the
        // apiserver is busy or away; try again after what it asked for.
        Duration after = e.retryAfter().orElse(Duration.ofSeconds(1));
        return new LaunchResult.Requeue(after, code == 0 ? message : code + " " + message);
    }

    /** The pod that answered 409: ours when it carries this task's id and try. */
    private boolean isOurs(String ns, String name, Task task) {
        JsonNode labels;
        try {
            labels = api.get("get", ResourceType.PODS.path(ns) + "/" + name, null, JSON::readTree)
                    .path("metadata")
                    .path("labels");
        } catch (ApiException e) {
            return false; // gone again, or unreadable: not provably ours
        }
        return Objects.equals(labels.path(PodLabels.TASK_ID).asText(null), task.id())
                && Objects.equals(labels.path(PodLabels.TRY).asText(null), Integer.toString(task.tryNumber()));
    }
}
