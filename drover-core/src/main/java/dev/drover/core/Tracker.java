package dev.drover.core;

import dev.drover.kube.PodView;
import java.util.List;
import java.util.Optional;

/**
 * The watches of this scheduler's pods and their Events ({@link PodTracker} on the apiserver).
 * Pod changes, and a {@link Message.NamespaceSynced} once a namespace is listed, go to the inbox
 * in the order they happened.
 */
interface Tracker extends AutoCloseable {
    /** Starts watching the namespace if not yet. Never waits for the list. */
    void track(String namespace);

    boolean synced(String namespace);

    /** The pod as last seen by the watch (only pods in the selector: ours, not done). */
    Optional<PodView> pod(String namespace, String name);

    /** Every pod the watches hold now (ours, not done), for the periodic look at those no task holds. */
    java.util.Collection<PodView> pods();

    /** The pod's last Events, oldest first, as {@code "Warning BackOff: message (x3)"}. */
    List<String> recentEvents(String namespace, String podUid, int max);

    /** Every namespace being watched, listed or not, with what keeps it from being listed. */
    List<NamespaceStatus> namespaces();

    @Override
    void close();
}
