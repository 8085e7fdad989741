package dev.drover.kube;

/** Receives an informer's deltas, one at a time, in order. Keep it quick: it runs on the watch thread. */
@FunctionalInterface
public interface DeltaListener<T extends KubeObject> {
    void onDelta(Delta<T> delta);
}
