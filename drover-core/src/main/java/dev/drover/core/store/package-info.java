/**
 * The durable record of tasks and every state change: {@link dev.drover.core.store.TaskStore}
 * (the interface), {@link dev.drover.core.store.TaskStores} (opens one on H2 or PostgreSQL, schema
 * migrated by Flyway) and {@link dev.drover.core.store.TransitionRequest}; the archive of container
 * logs, {@link dev.drover.core.store.LogArchive} (in the store: {@code TaskStore.logs()}; in a
 * directory: {@link dev.drover.core.store.LogArchives}) and {@link dev.drover.core.store.ArchivedLog}.
 * The implementations are package-private.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.core.store;

import org.jspecify.annotations.NullMarked;
