package dev.drover.core.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Looks into a store's database from a test, around the store. */
final class StoreDatabase {
    private StoreDatabase() {}

    /**
     * The versions of the migration files ({@code V6__…}: "6"), in order: what a current schema has
     * applied. From the files, not 1 to the newest: a version may be missing (a branch's), and
     * Flyway applies the others.
     */
    static List<String> migrationVersions() {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(
                TaskStores.class.getResource("/db/migration/drover").toURI()))) {
            java.util.stream.Stream<String> javaVersions = java.util.Arrays.stream(
                            TaskStores.flyway().getJavaMigrations())
                    .map(m -> m.getVersion().getVersion());
            return java.util.stream.Stream.concat(
                            files.map(p -> p.getFileName().toString())
                                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                                    .map(n -> n.substring(1, n.indexOf("__"))),
                            javaVersions)
                    .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                    .toList();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

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
