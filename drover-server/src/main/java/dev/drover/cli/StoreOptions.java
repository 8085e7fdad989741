package dev.drover.cli;

import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

    /**
     * A command holds an H2 file for a moment: compacting the file when it closes (H2's default, up
     * to 200 ms) would be most of the command's time. The file is compacted while open instead.
     */
    static final String H2_NO_CLOSE_COMPACTION = ";MAX_COMPACT_TIME=0";

    /** Opens the store; a store that cannot be opened fails as one line naming it (exit 2). */
    TaskStore openStore() {
        String url = store != null ? store : System.getenv("DROVER_STORE");
        boolean flag = store != null;
        if (url == null || url.isBlank()) {
            Path file = Path.of(System.getProperty("user.home"), ".local", "share", "drover", "drover");
            return open(() -> TaskStores.fromUrl(defaultH2Url(file)), "task store " + file);
        }
        String shown = redacted(url);
        try {
            return open(() -> TaskStores.fromUrl(forCommand(url)), "task store " + shown);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (flag ? "--store " : "$DROVER_STORE ") + shown + ": " + e.getMessage(), e);
        }
    }

    private static TaskStore open(java.util.function.Supplier<TaskStore> opener, String what) {
        try {
            return opener.get();
        } catch (IllegalArgumentException | CliFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CliFailure(what, e);
        }
    }

    /** The default store: an H2 file served to other processes (AUTO_SERVER) while one has it open. */
    private static String defaultH2Url(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new CliFailure("task store " + file, e);
        }
        return "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE" + H2_NO_CLOSE_COMPACTION;
    }

    /** An H2 file URL without its own MAX_COMPACT_TIME gets none at close; other URLs stay as they are. */
    static String forCommand(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        boolean h2File = upper.startsWith("JDBC:H2:")
                && !upper.startsWith("JDBC:H2:MEM:")
                && !upper.startsWith("JDBC:H2:TCP:")
                && !upper.startsWith("JDBC:H2:SSL:");
        return h2File && !upper.contains("MAX_COMPACT_TIME=") ? url + H2_NO_CLOSE_COMPACTION : url;
    }

    /** The URL without its password, for messages. */
    static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
