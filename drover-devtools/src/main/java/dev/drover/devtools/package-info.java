/**
 * The CLI's development tools, loaded only when this jar is on the class path: {@code drover demo},
 * {@code drover sim}, {@code drover testground}, and the running test ground as a default
 * kubeconfig. The only place production-facing code meets drover-sim and drover-testkit.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.devtools;

import org.jspecify.annotations.NullMarked;
