package dev.drover.core;

import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Refuses, at submit, a task for a namespace the cluster says does not exist. Where the cluster
 * cannot tell (no answer within a few seconds, no permission to read namespaces) the task is
 * taken: its launch then says what is wrong. A namespace seen to exist is not asked about again.
 */
final class NamespaceCheck {
    private static final Duration PATIENCE = Duration.ofSeconds(3);
    private final KubeApi api;
    private final String cluster;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    NamespaceCheck(KubeApi api, String cluster) {
        this.api = api;
        this.cluster = cluster;
    }

    void check(String namespace) {
        if (known.contains(namespace)) {
            return;
        }
        int code = answer(namespace);
        if (code == 404) {
            throw new InvalidTaskException(
                    "namespace",
                    "namespace '" + namespace + "' does not exist in cluster " + cluster + "; create it (kubectl"
                            + " create namespace " + namespace + ") or choose another");
        }
        if (code == 200) {
            known.add(namespace);
        }
    }

    /** The status code of a GET of the namespace; 0 when there was none in time. */
    private int answer(String namespace) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        Thread asking = Thread.ofVirtual().start(() -> {
            try {
                answer.complete(api.get("get", "/api/v1/namespaces/" + namespace, null, in -> 200));
            } catch (ApiException e) {
                answer.complete(e.code());
            } catch (RuntimeException e) {
                answer.complete(0);
            }
        });
        try {
            return answer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            asking.interrupt();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
