package dev.drover.kube;

import java.time.Duration;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/** What to list and watch, and how; built by {@link Informer.Builder}. */
record ListWatchSpec<T extends KubeObject>(
        ResourceType resource,
        Projection<T> projection,
        @Nullable String labelSelector,
        @Nullable String fieldSelector,
        InitialList initialList,
        RelistReads relistReads,
        int pageSize,
        Duration watchTimeoutMin,
        Duration watchTimeoutMax,
        @Nullable Duration pollInterval,
        Duration streamingDetectTimeout,
        Duration backoffInitial,
        Duration backoffMax,
        Duration silentAfter,
        IntConsumer afterPage) {}
