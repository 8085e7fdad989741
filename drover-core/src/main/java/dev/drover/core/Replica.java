package dev.drover.core;

import java.time.Duration;
import java.time.Instant;

/**
 * One scheduler process sharing the store, as the store sees it.
 *
 * @param heartbeatAge how long ago its last heartbeat was, by the store's clock
 * @param alive its heartbeat is younger than the alive threshold and it is not stopped
 * @param inFlight tasks the store holds in flight for it (launching, pending, running)
 */
public record Replica(
        String id,
        String host,
        String version,
        Instant startedAt,
        Instant heartbeatAt,
        ReplicaState state,
        Duration heartbeatAge,
        boolean alive,
        long inFlight) {}
