package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.core.TaskSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Opening stores: in-memory H2, URLs, and what a bad URL says. */
class TaskStoresTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    static TaskSpec spec(String name) {
        return TaskSpec.builder(name).image("busybox:1.36").build();
    }

    @Test
    void anInMemoryStoreIsPrivateToItsNameAndGoneOnceClosed() {
        try (TaskStore a = TaskStores.h2InMemory("stores-a");
                TaskStore b = TaskStores.h2InMemory("stores-b")) {
            a.insert("task-1", spec("task-1"), T0);

            assertThat(a.get("task-1")).isPresent();
            assertThat(b.get("task-1")).isEmpty();
        }
        try (TaskStore a = TaskStores.h2InMemory("stores-a")) {
            assertThat(a.get("task-1")).isEmpty();
        }
    }

    @Test
    void anH2UrlGetsTheSettingsTheStoreNeeds() {
        try (TaskStore store = TaskStores.fromUrl("jdbc:h2:mem:stores-url")) {
            store.insert("task-1", spec("task-1"), T0);

            assertThat(store.claim("a", 1, T0)).hasSize(1);
        }
    }

    @Test
    void anUnsupportedUrlSaysWhichOnesWork() {
        assertThatThrownBy(() -> TaskStores.fromUrl("jdbc:mysql://db/drover"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://")
                .hasMessageContaining("jdbc:h2:file:");
    }

    @Test
    void postgresRefusesAnotherDatabasesUrl() {
        assertThatThrownBy(() -> TaskStores.postgres("jdbc:h2:mem:x", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a PostgreSQL URL");
    }
}
