package dev.drover.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jspecify.annotations.Nullable;

/**
 * The {@link LogArchive} in the task database (tables {@code task_logs} and {@code task_log_chunks},
 * migration V5), on the task store's pool. The same SQL on H2 and PostgreSQL.
 *
 * <p>Each archive has a random {@code archive_id}: a store writes its chunks under a new id while
 * the log is read, then, in the same transaction, drops the earlier archive's chunks and points
 * {@code task_logs} at the new id. So a reader sees the earlier archive or the new one, whole, and a
 * reader that follows {@code task_logs} to its chunks notices (a chunk missing) when the archive it
 * read was replaced meanwhile. A store holds one pooled connection while it reads its stream.
 */
final class JdbcLogArchive extends ChunkedLogArchive {
    /** Chunks sent to the database in one batch: about 4 MiB of text. */
    private static final int BATCH = 16;

    private static final String COLUMNS = "task_id, try_number, container, archive_id, chunks, original_bytes,"
            + " stored_bytes, cut_bytes, unavailable, archived_at";
    private static final String KEY = "task_id = :task AND try_number = :try AND container = :container";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Row(ArchivedLog log, long archiveId, int chunks) {}

    private static final RowMapper<Row> ROWS = (rs, ctx) -> new Row(
            new ArchivedLog(
                    rs.getString("task_id"),
                    rs.getInt("try_number"),
                    rs.getString("container"),
                    rs.getLong("original_bytes"),
                    rs.getLong("stored_bytes"),
                    rs.getLong("cut_bytes"),
                    rs.getString("unavailable"),
                    Instant.ofEpochMilli(rs.getLong("archived_at"))),
            rs.getLong("archive_id"),
            rs.getInt("chunks"));

    private final Jdbi jdbi;

    JdbcLogArchive(Jdbi jdbi, Clock clock) {
        super(clock);
        this.jdbi = jdbi;
    }

    @Override
    public ArchivedLog store(String taskId, int tryNumber, String container, InputStream in, long capBytes)
            throws IOException {
        LogKeys.check(taskId, tryNumber, container);
        long archiveId = RANDOM.nextLong();
        return jdbi.inTransaction(h -> {
            PreparedBatch[] batch = {null};
            LogChunks.Written written = LogChunks.write(in, capBytes, (seq, gzip) -> {
                if (batch[0] == null) {
                    batch[0] = h.prepareBatch("INSERT INTO task_log_chunks (task_id, try_number, container,"
                            + " archive_id, seq, data) VALUES (:task, :try, :container, :archive, :seq, :data)");
                }
                batch[0].bind("task", taskId)
                        .bind("try", tryNumber)
                        .bind("container", container)
                        .bind("archive", archiveId)
                        .bind("seq", seq)
                        .bind("data", gzip)
                        .add();
                if (batch[0].size() == BATCH) {
                    batch[0].execute(); // a batch runs once
                    batch[0] = null;
                }
            });
            if (batch[0] != null) {
                batch[0].execute();
            }
            ArchivedLog log = archived(taskId, tryNumber, container, written);
            replace(h, log, archiveId, written.chunks());
            return log;
        });
    }

    @Override
    public ArchivedLog unavailable(String taskId, int tryNumber, String container, String reason) {
        ArchivedLog log = unavailableLog(taskId, tryNumber, container, reason);
        jdbi.useTransaction(h -> replace(h, log, RANDOM.nextLong(), 0));
        return log;
    }

    /** Drops the earlier archive of the same key (its chunks are the ones of another id) and records this one. */
    private static void replace(Handle h, ArchivedLog log, long archiveId, int chunks) {
        h.createUpdate("DELETE FROM task_log_chunks WHERE " + KEY + " AND archive_id <> :archive")
                .bind("task", log.taskId())
                .bind("try", log.tryNumber())
                .bind("container", log.container())
                .bind("archive", archiveId)
                .execute();
        h.createUpdate("DELETE FROM task_logs WHERE " + KEY)
                .bind("task", log.taskId())
                .bind("try", log.tryNumber())
                .bind("container", log.container())
                .execute();
        h.createUpdate("INSERT INTO task_logs (" + COLUMNS + ") VALUES (:task, :try, :container, :archive, :chunks,"
                        + " :original, :stored, :cut, :unavailable, :at)")
                .bind("task", log.taskId())
                .bind("try", log.tryNumber())
                .bind("container", log.container())
                .bind("archive", archiveId)
                .bind("chunks", chunks)
                .bind("original", log.originalBytes())
                .bind("stored", log.storedBytes())
                .bind("cut", log.cutBytes())
                .bind("unavailable", log.unavailable())
                .bind("at", log.archivedAt().toEpochMilli())
                .execute();
    }

    @Override
    @Nullable
    Found open(String taskId, int tryNumber, String container) {
        Optional<Row> row = jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM task_logs WHERE " + KEY)
                .bind("task", taskId)
                .bind("try", tryNumber)
                .bind("container", container)
                .map(ROWS)
                .findOne());
        if (row.isEmpty()) {
            return null;
        }
        Row found = row.get();
        return new Found() {
            @Override
            public ArchivedLog log() {
                return found.log();
            }

            @Override
            public int chunks() {
                return found.chunks();
            }

            @Override
            public byte[] chunk(int seq) throws IOException {
                Optional<byte[]> data = jdbi.withHandle(h -> h.createQuery("SELECT data FROM task_log_chunks WHERE "
                                + KEY + " AND archive_id = :archive AND seq = :seq")
                        .bind("task", taskId)
                        .bind("try", tryNumber)
                        .bind("container", container)
                        .bind("archive", found.archiveId())
                        .bind("seq", seq)
                        .mapTo(byte[].class)
                        .findOne());
                if (data.isEmpty()) {
                    throw new IOException("it was replaced or dropped while it was read; read it again");
                }
                return data.get();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public List<ArchivedLog> list(String taskId) {
        LogKeys.check(taskId);
        return jdbi
                .withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM task_logs WHERE task_id = :task")
                        .bind("task", taskId)
                        .map(ROWS)
                        .list())
                .stream()
                .map(Row::log)
                // in Java: a database's collation may order names otherwise
                .sorted(Comparator.comparingInt(ArchivedLog::tryNumber).thenComparing(ArchivedLog::container))
                .toList();
    }

    @Override
    public void delete(String taskId) {
        LogKeys.check(taskId);
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM task_log_chunks WHERE task_id = :task")
                    .bind("task", taskId)
                    .execute();
            h.createUpdate("DELETE FROM task_logs WHERE task_id = :task")
                    .bind("task", taskId)
                    .execute();
        });
    }
}
