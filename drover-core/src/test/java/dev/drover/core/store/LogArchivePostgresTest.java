package dev.drover.core.store;

import dev.drover.testkit.PostgresServer;
import org.jdbi.v3.core.Jdbi;

/** The log archive in a store on PostgreSQL 15 (the test kit's): every test gets a new database. */
class LogArchivePostgresTest extends JdbcLogArchiveContract {
    private String url;

    @Override
    TaskStore openFreshStore() {
        PostgresServer server = PostgresServer.shared();
        url = server.createDatabase();
        return TaskStores.postgres(url, server.user(), server.password());
    }

    @Override
    Jdbi database() {
        return Jdbi.create(
                url, PostgresServer.shared().user(), PostgresServer.shared().password());
    }

    @Override
    long spaceUsed() {
        return database()
                .withHandle(h -> h.createQuery("SELECT pg_total_relation_size('task_log_chunks')"
                                + " + pg_total_relation_size('task_logs')")
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    String where() {
        return "PostgreSQL";
    }
}
