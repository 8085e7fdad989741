package dev.drover.kube;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of a list: its items, the list's resourceVersion, and the token for the next page. */
record ListPage<T extends KubeObject>(
        List<T> items, String resourceVersion, @Nullable String continueToken) {
    boolean hasMore() {
        return continueToken != null && !continueToken.isEmpty();
    }
}
