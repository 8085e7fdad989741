package dev.drover.kube;

/** What a list after the first one reads. */
public enum RelistReads {
    /** A consistent (quorum) list in pages: the truth, at a cost to etcd. */
    CONSISTENT,
    /**
     * The last known resourceVersion with {@code resourceVersionMatch=NotOlderThan}: served from the
     * watch cache, no quorum read (Airflow PR #59080's lesson for Events).
     */
    NOT_OLDER_THAN_LAST_KNOWN
}
