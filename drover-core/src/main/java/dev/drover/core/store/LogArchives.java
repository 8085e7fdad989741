package dev.drover.core.store;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens a {@link LogArchive} other than the task store's own ({@link TaskStore#logs()}, the
 * default).
 */
public final class LogArchives {
    private LogArchives() {}

    /**
     * An archive in {@code dir} (created as needed): {@code <dir>/<task>/<try>/<container>.log.gz}, a
     * gzip file, next to {@code <container>.log.properties}, what the archive holds.
     */
    public static LogArchive directory(Path dir) {
        return new DirectoryLogArchive(dir, Clock.systemUTC());
    }
}
