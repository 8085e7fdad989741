package dev.drover.bench;

import dev.drover.kube.InitialList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Who syncs the pod list in the resync benchmark. */
enum Contender {
    OURS_LIST_THEN_WATCH("ours/list-then-watch", InitialList.LIST_THEN_WATCH),
    OURS_PAGINATED("ours/paginated", InitialList.PAGINATED),
    OURS_WATCH_AFTER_FIRST_PAGE("ours/watch-after-first-page", InitialList.WATCH_AFTER_FIRST_PAGE),
    OURS_STREAMING("ours/streaming", InitialList.STREAMING),
    FABRIC8("fabric8-informer", null),
    CLIENT_JAVA("client-java-informer", null),
    /** One GET at resourceVersion=0 (the watch cache), read to the end and thrown away. */
    RAW_RV0("raw-get-rv0", null),
    /** One unpaginated consistent GET (etcd), read to the end and thrown away. */
    RAW_CONSISTENT("raw-get", null),
    /** Consistent GETs in pages (limit/continue) read to the end; only the continue token is decoded. */
    RAW_PAGED("raw-get-paged", null);

    final String label;
    final InitialList strategy;

    Contender(String label, InitialList strategy) {
        this.label = label;
        this.strategy = strategy;
    }

    boolean ours() {
        return strategy != null;
    }

    boolean raw() {
        return this == RAW_RV0 || this == RAW_CONSISTENT || this == RAW_PAGED;
    }

    /**
     * The plain download that reads what this contender's first list reads: the watch cache for
     * list-then-watch, etcd for the paginated strategies (streaming falls back to paginated on 1.20).
     */
    Contender rawReference() {
        return this == OURS_LIST_THEN_WATCH || this == CLIENT_JAVA ? RAW_RV0 : RAW_CONSISTENT;
    }

    /** The plain download with the same request pattern (pages for the paginated strategies), if any. */
    Contender rawSamePattern() {
        return this == OURS_PAGINATED || this == OURS_WATCH_AFTER_FIRST_PAGE || this == OURS_STREAMING
                ? RAW_PAGED
                : rawReference();
    }

    static Contender byLabel(String label) {
        return Arrays.stream(values())
                .filter(c -> c.label.equals(label) || c.name().equalsIgnoreCase(label))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown contender '" + label + "'; known: "
                        + Arrays.stream(values()).map(c -> c.label).collect(Collectors.joining(", "))));
    }

    static List<Contender> parse(String csv) {
        if (csv == null || csv.isBlank() || csv.equals("all")) {
            return List.of(values());
        }
        return Arrays.stream(csv.split(","))
                .map(String::trim)
                .map(Contender::byLabel)
                .toList();
    }
}
