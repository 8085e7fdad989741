package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.drover.core.TaskSpec;
import dev.drover.testkit.PostgresServer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a store on a fresh, an old and a current database, on H2 and PostgreSQL: the schema ends
 * current every time, and a current one is told from its history without Flyway.
 */
class TaskStoresMigrationTest {
    @TempDir
    Path dir;

    /** A database, with the user and password a store and Flyway connect with. */
    record Database(String url, String user, String password) {
        HikariDataSource dataSource() {
            HikariDataSource ds = new HikariDataSource();
            ds.setJdbcUrl(url);
            ds.setUsername(user);
            ds.setPassword(password);
            ds.setMaximumPoolSize(2);
            return ds;
        }

        /** Brought up to {@code version} only, as an older Drover left it. */
        void migrateTo(String version) {
            Flyway.configure()
                    .dataSource(url, user, password)
                    .locations("classpath:db/migration/drover")
                    .table("drover_schema_history")
                    .target(version)
                    .load()
                    .migrate();
        }

        List<String> applied() {
            return Jdbi.create(url, user, password)
                    .withHandle(h -> h.createQuery("SELECT version FROM drover_schema_history WHERE success"
                                    + " AND version IS NOT NULL ORDER BY installed_rank")
                            .mapTo(String.class)
                            .list());
        }

        boolean isCurrent() {
            try (HikariDataSource ds = dataSource()) {
                return TaskStores.isCurrent(ds);
            }
        }

        /** Opens a store the way TaskStores does for this kind of database, stores a task, closes. */
        void openAndUse() {
            try (HikariDataSource ds = dataSource()) {
                TaskStore store = TaskStores.fromDataSource(ds);
                store.insert(
                        "task-" + System.nanoTime(),
                        TaskSpec.builder("t").image("busybox").build(),
                        Instant.now());
                assertThat(store.list(java.util.Set.of(), 10)).isNotEmpty();
            }
        }
    }

    private Database h2() {
        return new Database(
                "jdbc:h2:file:" + dir.resolve("drover") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
    }

    private static Database postgres() {
        PostgresServer server = PostgresServer.shared();
        return new Database(server.createDatabase(), server.user(), server.password());
    }

    @Test
    void theSchemaVersionIsTheNewestMigration() throws IOException, URISyntaxException {
        Path migrations =
                Path.of(TaskStores.class.getResource("/db/migration/drover").toURI());
        try (Stream<Path> files = Files.list(migrations)) {
            int newest = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
            assertThat(TaskStores.SCHEMA_VERSION).isEqualTo(newest);
        }
    }

    @Test
    void aFreshH2DatabaseGetsTheWholeSchema() {
        fresh(h2());
    }

    @Test
    void anOldH2DatabaseGetsTheMigrationsItLacks() {
        old(h2());
    }

    @Test
    void aCurrentH2DatabaseIsToldFromItsHistoryAndLeftAlone() {
        current(h2());
    }

    @Test
    void aFreshPostgresDatabaseGetsTheWholeSchema() {
        fresh(postgres());
    }

    @Test
    void anOldPostgresDatabaseGetsTheMigrationsItLacks() {
        old(postgres());
    }

    @Test
    void aCurrentPostgresDatabaseIsToldFromItsHistoryAndLeftAlone() {
        current(postgres());
    }

    @Test
    void aFailedMigrationInTheHistoryIsNotCurrent() {
        Database db = h2();
        db.openAndUse();
        Jdbi.create(db.url(), db.user(), db.password())
                .useHandle(h -> h.execute("UPDATE drover_schema_history SET success = FALSE WHERE version = '2'"));

        assertThat(db.isCurrent()).isFalse();
    }

    @Test
    void askingAFreshH2DatabaseLeavesNoErrorTrace() {
        assertThat(h2().isCurrent()).isFalse();

        assertThat(dir.resolve("drover.trace.db")).doesNotExist();
    }

    private static void fresh(Database db) {
        assertThat(db.isCurrent()).isFalse();

        db.openAndUse();

        assertThat(db.applied()).containsExactlyElementsOf(allVersions());
        assertThat(db.isCurrent()).isTrue();
    }

    /** "1", "2", … up to the schema version: every migration, in order. */
    private static List<String> allVersions() {
        return StoreDatabase.migrationVersions();
    }

    private static void old(Database db) {
        db.migrateTo("1");
        assertThat(db.isCurrent()).isFalse();

        db.openAndUse();

        assertThat(db.applied()).containsExactlyElementsOf(allVersions());
        assertThat(db.isCurrent()).isTrue();
    }

    private static void current(Database db) {
        db.openAndUse();
        assertThat(db.isCurrent()).isTrue();

        db.openAndUse();

        assertThat(db.applied()).containsExactlyElementsOf(allVersions());
        assertThat(db.isCurrent()).isTrue();
    }
}
