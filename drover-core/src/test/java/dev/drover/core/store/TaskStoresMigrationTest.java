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
            TaskStores.flyway()
                    .dataSource(url, user, password)
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
            int newestSql = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
            int newestJava = java.util.Arrays.stream(TaskStores.flyway().getJavaMigrations())
                    .mapToInt(m -> Integer.parseInt(m.getVersion().getVersion()))
                    .max()
                    .orElseThrow();
            assertThat(TaskStores.SCHEMA_VERSION).isEqualTo(Math.max(newestSql, newestJava));
        }
    }

    @Test
    void tasksStoredBeforeV7GetTheirLabelsOnH2() {
        labelsAreBackfilled(h2());
    }

    @Test
    void tasksStoredBeforeV7GetTheirLabelsOnPostgres() {
        labelsAreBackfilled(postgres());
    }

    /** More tasks than a backfill page (1000), every third labelled, as a V6 Drover stored them. */
    private static void labelsAreBackfilled(Database db) {
        db.migrateTo("6");
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        Jdbi.create(db.url(), db.user(), db.password()).useHandle(h -> {
            org.jdbi.v3.core.statement.PreparedBatch rows = h.prepareBatch("INSERT INTO tasks (id, name, namespace,"
                    + " spec, state, try_number, created_at, updated_at, next_attempt_at) VALUES (:id, 'old',"
                    + " 'default', :spec, 'SUCCEEDED', 1, :at, :at, :at)");
            for (int i = 0; i < 1500; i++) {
                TaskSpec.Builder spec = TaskSpec.builder("old").image("busybox");
                if (i % 3 == 0) {
                    spec.label("team", i % 2 == 0 ? "etl" : "web").label("run", "r" + i);
                }
                rows.bind("id", "old-%04d".formatted(i))
                        .bind("spec", TaskJson.write(spec.build()))
                        .bind("at", t0.plusMillis(i).toEpochMilli())
                        .add();
            }
            rows.execute();
        });

        try (HikariDataSource ds = db.dataSource()) {
            TaskStore store = TaskStores.fromDataSource(ds);

            assertThat(db.applied()).containsExactlyElementsOf(allVersions());
            TaskPage etl =
                    store.query(TaskQuery.all().withLabelSelector("team=etl").withLimit(1000));
            assertThat(etl.tasks())
                    .hasSize(250)
                    .allSatisfy(t -> assertThat(t.spec().labels()).containsEntry("team", "etl"));
            assertThat(store.query(TaskQuery.all().withLabelSelector("run=r1497"))
                            .tasks())
                    .extracting(dev.drover.core.Task::id)
                    .containsExactly("old-1497");
            assertThat(store.query(TaskQuery.all().withLabelSelector("!team").withLimit(1000))
                            .tasks())
                    .hasSize(1000)
                    .allSatisfy(t -> assertThat(t.spec().labels()).isEmpty());
            assertThat(store.query(TaskQuery.all().withName("old").withLimit(1)).tasks())
                    .extracting(dev.drover.core.Task::id)
                    .containsExactly("old-1499");
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
