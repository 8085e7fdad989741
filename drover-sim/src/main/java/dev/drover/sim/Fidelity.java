package dev.drover.sim;

/** How closely a {@link NodeSimulator} imitates a kubelet, traded against API writes. */
public enum Fidelity {
    /**
     * Every kubelet step: the Pending status with waiting containers, each init container's run,
     * each container's start and end, and kubelet/scheduler Events.
     */
    FULL,
    /**
     * The fewest writes: bind, one status when the pod runs, one when it ends; no Events and no
     * waiting states unless the pod's behaviour is about them (pull errors, config errors).
     */
    LEAN
}
