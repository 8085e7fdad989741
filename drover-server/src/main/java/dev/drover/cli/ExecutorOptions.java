package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where tasks are stored, which cluster runs them, and who this scheduler is. */
final class ExecutorOptions extends StoreOptions {
    @Mixin
    KubeOptions kube = new KubeOptions();

    @Option(
            names = "--scheduler-id",
            description = "This scheduler's id, written on its pods (default: from the host name).")
    String schedulerId;

    @Option(
            names = "--cluster",
            description = "The cluster's name as tasks record it and workers claim by (default: the kubeconfig"
                    + " context's cluster, else the apiserver's host:port). Give a worker in the cluster the"
                    + " name its submitters use.")
    String cluster;

    @Option(
            names = "--log-dir",
            description = "Archive container logs as files in this directory (<task>/<try>/<container>.log.gz)"
                    + " instead of in the task store; `drover logs --log-dir` reads them there.")
    java.nio.file.Path logDir;

    @Option(
            names = "--no-log-archive",
            description = "Do not archive container logs when a try ends (drover logs then reads only live pods).")
    boolean noLogArchive;

    @Option(
            names = "--no-pod-finalizer",
            description = "Create pods without Drover's finalizer drover.dev/result (a pod deleted before its"
                    + " result is recorded then loses it). Finalizers on pods made before are still dropped.")
    boolean noPodFinalizer;

    @Option(
            names = "--namespaces",
            split = ",",
            paramLabel = "NS",
            description = "Run tasks only in these namespaces (e.g. those its Role grants); a submit to another"
                    + " is refused naming the namespace (default: any).")
    java.util.List<String> namespaces = new java.util.ArrayList<>();

    /** The --cluster given, else the one the kube options name. */
    String clusterName() {
        if (cluster != null) {
            if (cluster.isBlank() || cluster.length() > 253) {
                throw new IllegalArgumentException("--cluster must be 1 to 253 characters (got '" + cluster + "')");
            }
            return cluster;
        }
        return kube.resolve().clusterName();
    }

    /** The --scheduler-id given (null when none), checked: an error names the flag. */
    String checkSchedulerId() {
        if (schedulerId == null) {
            return null;
        }
        try {
            return Drover.checkSchedulerId(schedulerId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--scheduler-id " + e.getMessage().substring("schedulerId ".length()));
        }
    }

    /** A scheduler on the cluster the kube options name (checked first: a bad --context fails here). */
    Drover.Builder drover(TaskStore taskStore) {
        Drover.Builder b = Drover.builder(kube.resolve().config(), taskStore)
                .cluster(clusterName())
                .archiveLogs(!noLogArchive)
                .podFinalizer(!noPodFinalizer);
        if (!namespaces.isEmpty()) {
            b.namespaces(java.util.Set.copyOf(namespaces));
        }
        if (logDir != null) {
            b.logArchive(dev.drover.core.store.LogArchives.directory(logDir));
        }
        String id = checkSchedulerId();
        if (id != null) {
            b.schedulerId(id);
        }
        return b;
    }
}
