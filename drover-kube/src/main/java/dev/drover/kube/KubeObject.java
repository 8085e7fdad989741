package dev.drover.kube;

import org.jspecify.annotations.Nullable;

/** What the engine needs of every lean object it keeps: identity and version. */
public interface KubeObject {
    /** Null for cluster-scoped objects. */
    @Nullable
    String namespace();

    String name();

    String uid();

    String resourceVersion();
}
