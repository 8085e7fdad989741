package dev.drover.kube;

/** How the engine builds its first picture of the server. */
public enum InitialList {
    /**
     * client-go's way: one list at resourceVersion "0" from the watch cache (the server ignores
     * limit there), then watch. Cheapest for the apiserver; no quorum read.
     */
    LIST_THEN_WATCH,
    /** A consistent list in pages (limit/continue), then watch from the list's resourceVersion. */
    PAGINATED,
    /**
     * Open the watch right after the first page arrives, buffer its events while the remaining pages
     * load, then deliver the list followed by the buffered events. A long list on a huge cluster can
     * then no longer outlive its resourceVersion and end in 410.
     */
    WATCH_AFTER_FIRST_PAGE,
    /**
     * A streaming list ({@code sendInitialEvents=true}, Kubernetes 1.27+), ended by the bookmark
     * annotated {@code k8s.io/initial-events-end}; falls back to {@link #WATCH_AFTER_FIRST_PAGE}
     * when the server rejects it or never sends that bookmark.
     */
    STREAMING
}
