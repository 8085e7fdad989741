package dev.drover.kube;

import org.jspecify.annotations.Nullable;

/** One line of a watch stream, decoded. */
sealed interface WatchEvent<T extends KubeObject> {
    record Added<T extends KubeObject>(T object) implements WatchEvent<T> {}

    record Modified<T extends KubeObject>(T object) implements WatchEvent<T> {}

    record Deleted<T extends KubeObject>(T object) implements WatchEvent<T> {}

    /** A progress mark; {@code initialEventsEnd} when it closes a streaming list's initial events. */
    record Bookmark<T extends KubeObject>(String resourceVersion, boolean initialEventsEnd) implements WatchEvent<T> {}

    /** An ERROR event (410 Expired and friends). */
    record Error<T extends KubeObject>(ApiException error) implements WatchEvent<T> {}

    /** The stream ended: server timeout or dropped connection ({@code cause} set). */
    record End<T extends KubeObject>(@Nullable Throwable cause) implements WatchEvent<T> {}
}
