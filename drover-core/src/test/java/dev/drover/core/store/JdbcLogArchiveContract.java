package dev.drover.core.store;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The log archive in a task store's database ({@link TaskStore#logs()}). */
abstract class JdbcLogArchiveContract extends LogArchiveContract {
    TaskStore store;

    /** A store on a new, empty database. */
    abstract TaskStore openFreshStore();

    /** A second way into {@link #store}'s database, around the store. */
    abstract Jdbi database();

    @BeforeEach
    void openStore() {
        store = openFreshStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Override
    LogArchive archive() {
        return store.logs();
    }

    @Override
    void corruptChunk(String taskId, int tryNumber, String container, int seq) {
        int changed = database()
                .withHandle(h -> h.createUpdate("UPDATE task_log_chunks SET data = :junk WHERE task_id = :task AND"
                                + " try_number = :try AND container = :container AND seq = :seq")
                        .bind("junk", new byte[] {1, 2, 3})
                        .bind("task", taskId)
                        .bind("try", tryNumber)
                        .bind("container", container)
                        .bind("seq", seq)
                        .execute());
        org.assertj.core.api.Assertions.assertThat(changed).isEqualTo(1);
    }
}
