package dev.drover.bench;

import java.util.Map;

/**
 * One contender's initial sync, measured in its own JVM.
 *
 * @param storedPods objects in the contender's store once synced (-1 for a raw download)
 * @param syncMillis from start to "store complete" (raw: to the last byte read)
 * @param heapBaselineBytes used heap after full GCs, after a warm-up sync, before the measured one
 * @param heapSyncedBytes used heap after full GCs with the synced store alive
 * @param cpuMillis process CPU time (all threads, GC and JIT included) during the sync
 * @param allocatedBytes bytes allocated on the heap during the sync
 * @param bodyBytes bytes of response body read (raw downloads only, else -1)
 * @param lists pod LIST requests the apiserver counted for the measured sync
 * @param watches pod WATCH requests the apiserver counted (opened) for the measured sync
 * @param ownCounters the engine's own request counters (ours only)
 * @param error null when the sync completed with the expected count
 */
record ContenderResult(
        String contender,
        int namespaces,
        int expectedPods,
        int storedPods,
        double syncMillis,
        long heapBaselineBytes,
        long heapSyncedBytes,
        double cpuMillis,
        long allocatedBytes,
        long bodyBytes,
        long lists,
        long watches,
        Map<String, Long> ownCounters,
        String error) {

    /** Heap the synced store keeps alive, per pod; NaN for raw downloads. */
    double retainedBytesPerPod() {
        if (storedPods <= 0 || expectedPods <= 0) {
            return Double.NaN;
        }
        return (heapSyncedBytes - heapBaselineBytes) / (double) expectedPods;
    }

    /** A run that gave no figures, only {@code error}. */
    static ContenderResult failed(String contender, int namespaces, int expectedPods, String error) {
        return new ContenderResult(
                contender, namespaces, expectedPods, -1, Double.NaN, 0, 0, 0, 0, -1, 0, 0, Map.of(), error);
    }

    boolean ok() {
        return error == null;
    }
}
