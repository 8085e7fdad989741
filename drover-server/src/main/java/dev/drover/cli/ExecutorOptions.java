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
            description = "This scheduler's id, written on its pods (default: the host name).")
    String schedulerId;

    /** A scheduler on the cluster the kube options name (checked first: a bad --context fails here). */
    Drover.Builder drover(TaskStore taskStore) {
        Drover.Builder b = Drover.builder(kube.resolve().config(), taskStore);
        if (schedulerId != null) {
            b.schedulerId(schedulerId);
        }
        return b;
    }
}
