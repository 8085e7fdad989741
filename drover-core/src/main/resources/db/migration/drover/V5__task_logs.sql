-- Container logs, archived when a container ends so they outlive its pod. task_logs: one row per
-- (task, try, container), naming the archive (archive_id) whose chunks hold the text; a replaced
-- archive gets a new id, so readers never mix two. task_log_chunks: the text in chunks of about
-- 256 KiB, each a gzip member of its own, so a tail reads the last chunks only. Not tied to tasks
-- by a foreign key: the archive is dropped with its task by the code that drops the task.
CREATE TABLE task_logs (
    task_id        VARCHAR(64) NOT NULL,
    try_number     INTEGER     NOT NULL,
    container      VARCHAR(63) NOT NULL,
    archive_id     BIGINT      NOT NULL,
    chunks         INTEGER     NOT NULL,
    original_bytes BIGINT      NOT NULL,
    stored_bytes   BIGINT      NOT NULL,
    cut_bytes      BIGINT      NOT NULL,
    -- why the log could not be read (then there are no chunks)
    unavailable    TEXT,
    archived_at    BIGINT      NOT NULL,
    PRIMARY KEY (task_id, try_number, container)
);

-- BYTEA: PostgreSQL's type; H2 reads it as BINARY VARYING
CREATE TABLE task_log_chunks (
    task_id    VARCHAR(64) NOT NULL,
    try_number INTEGER     NOT NULL,
    container  VARCHAR(63) NOT NULL,
    archive_id BIGINT      NOT NULL,
    seq        INTEGER     NOT NULL,
    data       BYTEA       NOT NULL,
    PRIMARY KEY (task_id, try_number, container, archive_id, seq)
);
