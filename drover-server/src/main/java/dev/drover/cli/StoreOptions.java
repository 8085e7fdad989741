package dev.drover.cli;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where tasks are stored, and how results print: all that status, list and cancel need. */
class StoreOptions {
    @Option(
            names = "--store",
            paramLabel = "JDBC_URL",
            description =
                    "JDBC URL of the task store (default: $DROVER_STORE, else an H2 file ~/.local/share/drover/drover).")
    String store;

    @Option(
            names = {"-o", "--output"},
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    /** Opens the store; a store that cannot be opened fails as one line naming it (exit 2). */
    TaskStore openStore() {
        String url = store != null ? store : System.getenv("DROVER_STORE");
        boolean flag = store != null;
        if (url == null || url.isBlank()) {
            Path file = Path.of(System.getProperty("user.home"), ".local", "share", "drover", "drover");
            return open(() -> TaskStores.h2(file), "task store " + file);
        }
        String shown = redacted(url);
        try {
            return open(() -> TaskStores.fromUrl(url), "task store " + shown);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (flag ? "--store " : "$DROVER_STORE ") + shown + ": " + e.getMessage(), e);
        }
    }

    private static TaskStore open(java.util.function.Supplier<TaskStore> opener, String what) {
        try {
            return opener.get();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CliFailure(what, e);
        }
    }

    /** The URL without its password, for messages. */
    static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
