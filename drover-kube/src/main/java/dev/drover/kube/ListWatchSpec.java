package dev.drover.kube;

import java.time.Duration;

/** What to list and watch, and how; built by {@link Informer.Builder}. */
record ListWatchSpec<T extends KubeObject>(
        ResourceType resource,
        Projection<T> projection,
        String labelSelector,
        String fieldSelector,
        InitialList initialList,
        RelistReads relistReads,
        int pageSize,
        Duration watchTimeoutMin,
        Duration watchTimeoutMax,
        Duration pollInterval,
        Duration streamingDetectTimeout,
        Duration backoffInitial,
        Duration backoffMax,
        java.util.function.IntConsumer afterPage) {}
