package dev.drover.cli;

import dev.drover.core.TaskLogs;
import dev.drover.core.store.LogArchives;
import dev.drover.core.store.TaskStore;
import dev.drover.kube.ApiException;
import dev.drover.kube.KubeApi;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code drover logs} through drover-core's {@link TaskLogs}: the archive, else the pod. Apart from
 * the command class on purpose: picocli links every command class at start-up, and linking code
 * that uses the Kubernetes client's types loads its classes into commands that never talk to a
 * cluster. The cluster is reached only when the log must come from a pod.
 */
final class LiveLogs {
    private LiveLogs() {}

    static void print(
            TaskStore store,
            Path logDir,
            KubeOptions kube,
            String id,
            Integer tryNumber,
            String container,
            Integer tail,
            boolean follow,
            PrintStream out)
            throws Exception {
        KubeApi[] api = new KubeApi[1];
        // A --context or --kubeconfig given is checked before anything runs, as kubectl does.
        KubeTarget[] target = {kube.given() ? kube.resolve() : null};
        TaskLogs logs = new TaskLogs(store, logDir != null ? LogArchives.directory(logDir) : store.logs(), () -> {
            if (target[0] == null) {
                target[0] = kube.resolve();
            }
            api[0] = KubeApi.builder(target[0].config()).build();
            return api[0];
        });
        try {
            logs.write(new TaskLogs.Request(id, tryNumber, container, tail, follow), out);
        } catch (ApiException e) {
            String where = target[0] == null
                    ? "apiserver"
                    : "apiserver " + target[0].config().getMasterUrl();
            throw new CliFailure(where + ": log of task " + id, e);
        } catch (IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        } finally {
            if (api[0] != null) {
                api[0].close();
            }
        }
    }
}
