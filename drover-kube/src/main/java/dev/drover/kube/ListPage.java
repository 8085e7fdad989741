package dev.drover.kube;

import java.util.List;

/** One page of a list: its items, the list's resourceVersion, and the token for the next page. */
record ListPage<T extends KubeObject>(List<T> items, String resourceVersion, String continueToken) {
    boolean hasMore() {
        return continueToken != null && !continueToken.isEmpty();
    }
}
