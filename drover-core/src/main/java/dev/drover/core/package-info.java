/**
 * Drover's Java API and the scheduler behind it: tasks in, pods out, results back.
 *
 * <p>Public: {@link dev.drover.core.Drover} and its builder, {@link dev.drover.core.TaskHandle},
 * the task model ({@link dev.drover.core.TaskSpec}, {@link dev.drover.core.Task}, {@link
 * dev.drover.core.TaskState}, {@link dev.drover.core.FailureDetails}, {@link
 * dev.drover.core.Transition}, {@link dev.drover.core.CleanupPolicy}, {@link
 * dev.drover.core.InvalidTaskException}, {@link dev.drover.core.TaskIds}) and {@link
 * dev.drover.core.NamespaceStatus}. Everything else here (the engine, its inbox and worker, pod
 * news, recovery, sweeps, the launcher, cleanup, the classifier, pod building and merging) is
 * package-private: one package, so the scheduler's insides need no public face (see the module's
 * README for why this and not a module-info).
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.core;

import org.jspecify.annotations.NullMarked;
