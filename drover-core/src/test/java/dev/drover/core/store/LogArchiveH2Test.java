package dev.drover.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;

/** The log archive in the default store, an embedded H2 file: every test gets a new file. */
class LogArchiveH2Test extends JdbcLogArchiveContract {
    @TempDir
    Path dir;

    @Override
    TaskStore openFreshStore() {
        return TaskStores.h2(dir.resolve("drover"));
    }

    @Override
    Jdbi database() {
        return Jdbi.create(
                "jdbc:h2:file:" + dir.resolve("drover") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE",
                "sa",
                "");
    }

    @Override
    long spaceUsed() throws Exception {
        database().useHandle(h -> h.execute("CHECKPOINT SYNC")); // H2 writes the file in the background
        return Files.size(dir.resolve("drover.mv.db"));
    }

    @Override
    String where() {
        return "H2 file";
    }
}
