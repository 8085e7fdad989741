package dev.drover.kube;

/** What the engine needs of every lean object it keeps: identity and version. */
public interface KubeObject {
    /** Null for cluster-scoped objects. */
    String namespace();

    String name();

    String uid();

    String resourceVersion();
}
