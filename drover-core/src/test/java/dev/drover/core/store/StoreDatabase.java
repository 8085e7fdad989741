package dev.drover.core.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Looks into a store's database from a test, around the store. */
final class StoreDatabase {
    private StoreDatabase() {}

    /** Versions of the applied migrations, without Flyway's own markers (table created, baseline). */
    static List<String> appliedMigrations(String jdbcUrl, String user) {
        return Jdbi.create(jdbcUrl, user, "")
                .withHandle(h -> h.createQuery(
                                "SELECT version FROM drover_schema_history WHERE success AND version IS NOT NULL"
                                        + " ORDER BY installed_rank")
                        .mapTo(String.class)
                        .list());
    }
}
