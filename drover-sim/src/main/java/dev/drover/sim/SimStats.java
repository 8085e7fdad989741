package dev.drover.sim;

import java.util.Map;

/**
 * What a {@link NodeSimulator} has done so far.
 *
 * @param podsBound pods bound to a simulated node (Binding created)
 * @param podsStarted pods whose main containers all started (phase Running, or went past it)
 * @param podsFinished pods written with a terminal phase (Succeeded or Failed)
 * @param podsDeleted pods removed by the final kubelet-style delete after graceful deletion
 * @param writes successful API writes by kind: {@code binding}, {@code status}, {@code event},
 *     {@code event-patch}, {@code delete}, {@code node}, {@code node-status}
 * @param retries requests retried after a connection error, 429 or 5xx
 * @param failures requests given up after retrying for too long
 */
public record SimStats(
        long podsBound,
        long podsStarted,
        long podsFinished,
        long podsDeleted,
        Map<String, Long> writes,
        long retries,
        long failures) {

    public SimStats {
        writes = Map.copyOf(writes);
    }

    /** All successful writes, whatever their kind. */
    public long totalWrites() {
        return writes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Successful writes of one kind, 0 when none. */
    public long writes(String kind) {
        return writes.getOrDefault(kind, 0L);
    }
}
