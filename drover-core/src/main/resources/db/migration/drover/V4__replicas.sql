-- The schedulers sharing this store, and their liveness. Times are the database's (epoch ms), never
-- a host's clock: a replica is alive while its last heartbeat is younger than the alive threshold
-- by the database's clock, and it is not stopped.
CREATE TABLE replicas (
    id           VARCHAR(63)  NOT NULL PRIMARY KEY,
    host         VARCHAR(253) NOT NULL,
    version      VARCHAR(64)  NOT NULL,
    started_at   BIGINT       NOT NULL,
    heartbeat_at BIGINT       NOT NULL,
    -- running, stopping, stopped (stopped: ended, or declared dead by a live replica)
    state        VARCHAR(16)  NOT NULL
);
