package dev.drover.core.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link LogArchive} holds of one container's log of one try.
 *
 * @param originalBytes the log's length as read
 * @param storedBytes the compressed size, as kept
 * @param cutBytes how many bytes of the original were cut from its middle (0 when within the cap)
 * @param unavailable why the log could not be read; null when it was archived
 * @param archivedAt when it was archived (millisecond precision)
 */
public record ArchivedLog(
        String taskId,
        int tryNumber,
        String container,
        long originalBytes,
        long storedBytes,
        long cutBytes,
        @Nullable String unavailable,
        Instant archivedAt) {

    /** Whether the text is there (not {@link #unavailable()}). */
    public boolean available() {
        return unavailable == null;
    }
}
