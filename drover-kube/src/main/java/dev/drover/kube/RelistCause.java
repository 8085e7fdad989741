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
    POLL
}
