/**
 * The durable record of tasks and every state change: {@link dev.drover.core.store.TaskStore}
 * (the interface), {@link dev.drover.core.store.TaskStores} (opens one on H2 or PostgreSQL, schema
 * migrated by Flyway) and {@link dev.drover.core.store.TransitionRequest}. The JDBC implementation
 * is package-private.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.core.store;

import org.jspecify.annotations.NullMarked;
