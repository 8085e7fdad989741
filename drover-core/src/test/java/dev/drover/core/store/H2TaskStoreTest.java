package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.Task;
import dev.drover.core.TaskState;
import dev.drover.core.Transition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on an embedded H2 file, the default: every test gets a new file. */
class H2TaskStoreTest extends TaskStoreContract {
    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("drover");
    }

    @Override
    TaskStore openFreshStore() {
        return TaskStores.h2(file());
    }

    @Override
    TaskStore openSecondStore() {
        return TaskStores.h2(file());
    }

    @Override
    List<String> appliedMigrations() {
        return StoreDatabase.appliedMigrations(
                "jdbc:h2:file:" + file() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE", "sa");
    }

    @Test
    void aStoreClosedAndReopenedOnTheSameFileKeepsItsTasksAndHistory() {
        launched("task-1", "a");
        store.transition("task-1", 1, Set.of(TaskState.LAUNCHING), TaskState.RUNNING, "started", null, null, T0);
        store.requestCancel("task-1", T0.plusSeconds(1));
        submit("task-2", T0.plusSeconds(2));
        Task running = store.get("task-1").orElseThrow();
        List<Transition> history = store.transitions("task-1");

        store.close();
        store = TaskStores.h2(file());

        assertThat(store.get("task-1")).contains(running);
        assertThat(store.transitions("task-1")).isEqualTo(history);
        assertThat(ids(store.claim("b", 5, T0.plusSeconds(3)))).containsExactly("task-2");
    }

    @Test
    void theDatabaseIsTheFileNamedWithH2sSuffix() {
        store.close();
        Path named = dir.resolve("sub/tasks.mv.db");

        store = TaskStores.h2(named);
        submit("task-1", T0);

        assertThat(named).exists();
        assertThat(Files.exists(dir.resolve("sub/tasks.mv.db.mv.db"))).isFalse();
    }
}
