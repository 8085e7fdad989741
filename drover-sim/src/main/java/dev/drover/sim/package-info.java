/**
 * Simulated nodes for a real apiserver that has no kubelets: a scheduler and each kubelet's API
 * side ({@link dev.drover.sim.NodeSimulator}), with per-pod behaviour from an annotation. Test and
 * benchmark code only: production code never depends on it.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.sim;

import org.jspecify.annotations.NullMarked;
