/**
 * The {@code drover} command line: command lines turned into calls of drover-core and drover-kube,
 * no business rules. Entry point {@link dev.drover.cli.DroverCommand}; the dev tools (demo, sim,
 * testground) come from drover-devtools through {@link dev.drover.cli.ExtraCommand} when its jar is
 * on the class path.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.cli;

import org.jspecify.annotations.NullMarked;
