package dev.drover.core.store;

import dev.drover.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * A new, empty database for one test, on H2 (a file, served to every store on it) or PostgreSQL
 * (the test kit's): stores on it, each with its own pool like a replica's, and a look inside.
 */
record TestDatabase(Supplier<TaskStore> stores, Jdbi jdbi, String lockWaitersSql) {
    /** A store (schema brought up to date) on this database. */
    TaskStore open() {
        return stores.get();
    }

    /** How many sessions wait for a row lock now (on H2: for a submission's key). */
    int lockWaiters() {
        return jdbi.withHandle(
                h -> h.createQuery(lockWaitersSql).mapTo(Integer.class).one());
    }

    static TestDatabase h2(Path dir) {
        Path file = dir.resolve("drover");
        return new TestDatabase(
                () -> TaskStores.h2(file),
                Jdbi.create(
                        "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE", "sa", ""),
                // H2 names no blocker for a key's lock; a submit's INSERT still running is one waiting
                "SELECT COUNT(*) FROM information_schema.sessions WHERE session_state = 'RUNNING'"
                        + " AND executing_statement LIKE 'INSERT INTO submissions%'");
    }

    static TestDatabase postgres() {
        PostgresServer server = PostgresServer.shared();
        String url = server.createDatabase();
        return new TestDatabase(
                () -> TaskStores.postgres(url, server.user(), server.password()),
                Jdbi.create(url, server.user(), server.password()),
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
    }
}
