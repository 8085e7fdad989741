package dev.drover.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * V7, in Java because it backfills: the tables and indexes the REST server's listing, change feed
 * and idempotent submits read, and the {@code task_labels} of every task stored before (their
 * labels were only in the spec JSON, which SQL cannot read the same way on H2 and PostgreSQL).
 * Registered with Flyway by {@link TaskStores#flyway()}, so it needs no public class of Flyway's
 * naming. On PostgreSQL it is one transaction; on H2 (DDL commits) a rerun after a failure finds
 * the tables there ({@code IF NOT EXISTS}) and fills only tasks that have no labels yet.
 */
final class V7Migration implements JavaMigration {
    static final String VERSION = "7";

    private static final String[] DDL = {
        // A task's labels (its spec's), one row each, for label selectors: positive requirements
        // (a=b, a in (x,y), a) seek (label_key, label_value); negative ones (a!=b, !a) look up the
        // primary key per task. Written with the task, in its transaction; never changed after.
        """
        CREATE TABLE IF NOT EXISTS task_labels (
            task_id     VARCHAR(64)  NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
            label_key   VARCHAR(317) NOT NULL,
            label_value VARCHAR(63)  NOT NULL,
            PRIMARY KEY (task_id, label_key)
        )""",
        "CREATE INDEX IF NOT EXISTS task_labels_key_value ON task_labels (label_key, label_value, task_id)",
        // Listing newest first by name or by state: each walks its own index in order and stops at
        // the page's end (tasks_claim has the cluster between state and time, so it cannot).
        "CREATE INDEX IF NOT EXISTS tasks_name_created ON tasks (name, created_at, seq)",
        "CREATE INDEX IF NOT EXISTS tasks_state_created ON tasks (state, created_at, seq)",
        // Idempotent submits: one row per (principal, key), written in the transaction of its tasks;
        // the primary key makes two concurrent submits with one key store one batch.
        """
        CREATE TABLE IF NOT EXISTS submissions (
            principal    VARCHAR(253) NOT NULL,
            idem_key     VARCHAR(255) NOT NULL,
            request_hash VARCHAR(255) NOT NULL,
            task_ids     TEXT         NOT NULL,
            created_at   BIGINT       NOT NULL,
            PRIMARY KEY (principal, idem_key)
        )""",
        "CREATE INDEX IF NOT EXISTS submissions_created ON submissions (created_at)",
    };

    private static final int BATCH = 1000;

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(VERSION);
    }

    @Override
    public String getDescription() {
        return "task labels, listing indexes, submissions";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            for (String ddl : DDL) {
                s.execute(ddl);
            }
        }
        backfillLabels(c);
    }

    /** Every task's labels from its spec, a page of tasks at a time by id. */
    static int backfillLabels(Connection c) throws SQLException {
        int filled = 0;
        String after = "";
        try (PreparedStatement page = c.prepareStatement("SELECT id, spec FROM tasks t WHERE id > ? AND NOT EXISTS"
                        + " (SELECT 1 FROM task_labels l WHERE l.task_id = t.id) ORDER BY id LIMIT " + BATCH);
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO task_labels (task_id, label_key, label_value) VALUES (?, ?, ?)")) {
            while (true) {
                page.setString(1, after);
                int rows = 0;
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        after = rs.getString(1);
                        for (Map.Entry<String, String> l :
                                TaskJson.labels(rs.getString(2)).entrySet()) {
                            insert.setString(1, after);
                            insert.setString(2, l.getKey());
                            insert.setString(3, l.getValue());
                            insert.addBatch();
                            filled++;
                        }
                    }
                }
                insert.executeBatch();
                if (rows < BATCH) {
                    return filled;
                }
            }
        }
    }
}
