package dev.drover.core;

import org.jspecify.annotations.Nullable;

/**
 * A namespace this scheduler watches. Tasks of a namespace that is not listed yet wait (their
 * launches are held back and deferred); nothing else does.
 *
 * @param problem what keeps it from being listed (e.g. {@code 403 Forbidden: …}); null when none
 *     is known
 */
public record NamespaceStatus(
        String namespace, boolean synced, @Nullable String problem) {}
