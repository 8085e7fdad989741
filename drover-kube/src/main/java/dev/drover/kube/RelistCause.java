package dev.drover.kube;

/** Why the engine listed (again). */
public enum RelistCause {
    /** The first list. */
    INITIAL,
    /** The watch answered 410 Gone (on open or mid-stream). */
    GONE,
    /** A continue token expired mid-list (410), so the list started over. */
    EXPIRED_CONTINUE,
    /** Watching is forbidden (403); the engine polls with cheap lists. */
    POLL,
    /**
     * The apiserver answered 5xx to three watches in a row from the same resourceVersion, so the
     * engine gave that resourceVersion up and listed again, as after a 410. kube-apiserver 1.20
     * answers so (500 InternalError, {@code PrevKv=nil}) when etcd was compacted at exactly the
     * change after the watch's resourceVersion.
     */
    SERVER_ERROR
}
