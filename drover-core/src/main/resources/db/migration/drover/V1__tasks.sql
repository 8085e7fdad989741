-- Tasks and every state change. The same SQL runs on H2 (MODE=PostgreSQL) and PostgreSQL.
-- Times are epoch milliseconds (UTC) in BIGINT: identical on both databases, no time-zone rules.

CREATE TABLE tasks (
    id               VARCHAR(64)  NOT NULL PRIMARY KEY,
    -- insertion order: breaks ties between tasks submitted in the same millisecond
    seq              BIGINT       GENERATED ALWAYS AS IDENTITY,
    name             VARCHAR(253) NOT NULL,
    namespace        VARCHAR(253) NOT NULL,
    spec             TEXT         NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    try_number       INTEGER      NOT NULL,
    pod_name         VARCHAR(253),
    reason           TEXT,
    failure          TEXT,
    owner            VARCHAR(253),
    cancel_requested BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    next_attempt_at  BIGINT       NOT NULL
);

-- claim walks each waiting state oldest first and stops after a few due rows (H2 and PostgreSQL
-- both read this index in order); next_attempt_at is checked on the rows walked
CREATE INDEX tasks_claim ON tasks (state, created_at, seq);
CREATE INDEX tasks_owner_state ON tasks (owner, state);
CREATE INDEX tasks_created ON tasks (created_at, seq);

CREATE TABLE task_transitions (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id    VARCHAR(64) NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    try_number INTEGER     NOT NULL,
    from_state VARCHAR(16),
    to_state   VARCHAR(16) NOT NULL,
    at         BIGINT      NOT NULL,
    reason     TEXT
);

CREATE INDEX task_transitions_task ON task_transitions (task_id, id);
