/**
 * Benchmarks, each with its peers or its limit measured in the same run and reported as ratios:
 * resync, watch throughput, churn, the simulator, the executor. Not needed by any test.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.bench;

import org.jspecify.annotations.NullMarked;
