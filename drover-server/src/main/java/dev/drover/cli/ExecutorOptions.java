package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where tasks are stored, which cluster runs them, and who this scheduler is. */
final class ExecutorOptions {
    @Mixin
    KubeOptions kube = new KubeOptions();

    @Option(
            names = "--store",
            description =
                    "JDBC URL of the task store (default: $DROVER_STORE, else an H2 file ~/.local/share/drover/drover).")
    String store;

    @Option(
            names = "--scheduler-id",
            description = "This scheduler's id, written on its pods (default: the host name).")
    String schedulerId;

    @Option(
            names = {"-o", "--output"},
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    TaskStore openStore() {
        String url = store != null ? store : System.getenv("DROVER_STORE");
        if (url != null && !url.isBlank()) {
            return TaskStores.fromUrl(url);
        }
        return TaskStores.h2(Path.of(System.getProperty("user.home"), ".local", "share", "drover", "drover"));
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

    Drover.Builder drover(TaskStore taskStore) {
        Drover.Builder b = Drover.builder(kube.config(true), taskStore);
        if (schedulerId != null) {
            try {
                b.schedulerId(schedulerId);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--scheduler-id " + e.getMessage().substring("schedulerId ".length()));
            }
        }
        return b;
    }
}
