package dev.drover.kube;

import org.jspecify.annotations.Nullable;

/**
 * What changed in the store, in order. After the initial list, and after every relist, a {@link
 * Synced} marks that the store again matches the server; deltas before it are the difference
 * between what the consumer had and what the list showed.
 */
public sealed interface Delta<T extends KubeObject> {
    record Added<T extends KubeObject>(T object) implements Delta<T> {}

    record Modified<T extends KubeObject>(T previous, T object) implements Delta<T> {}

    record Deleted<T extends KubeObject>(T object) implements Delta<T> {}

    /**
     * The store is complete for {@code namespace} (null: all namespaces) as of {@code
     * resourceVersion}; {@code cause} says why it was listed.
     */
    record Synced<T extends KubeObject>(
            @Nullable String namespace, String resourceVersion, RelistCause cause, int storeSize) implements Delta<T> {}
}
