/**
 * Talking to the Kubernetes apiserver, and the list-watch engine. Knows nothing about tasks.
 *
 * <p>Entry points: {@link dev.drover.kube.KubeApi} (HTTP for lists, watches and the few writes an
 * executor makes, behind client-side rate limits that honour the server's Retry-After) and {@link
 * dev.drover.kube.Informer} (one list+watch stream per namespace into a {@link
 * dev.drover.kube.Store}, with {@link dev.drover.kube.Delta}s to a listener, counters and a health
 * {@link dev.drover.kube.Informer.Status}). Lean views of what is watched: {@link
 * dev.drover.kube.PodView}, {@link dev.drover.kube.EventView}, or any {@link
 * dev.drover.kube.Projection}. Container logs, read or followed through dropped connections:
 * {@link dev.drover.kube.PodLog}. The machinery (the watch state machine {@code ListWatcher}, the
 * decoder, the token bucket) is package-private.
 *
 * <p>Nullness: everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.drover.kube;

import org.jspecify.annotations.NullMarked;
