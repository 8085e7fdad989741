package dev.drover.core.store;

import dev.drover.testkit.PostgresServer;
import java.util.List;

/** The store on PostgreSQL 15 (the test kit's throwaway server): every test gets a new database. */
class PostgresTaskStoreTest extends TaskStoreContract {
    private String url;

    @Override
    TaskStore openFreshStore() {
        PostgresServer server = PostgresServer.shared();
        url = server.createDatabase();
        return TaskStores.postgres(url, server.user(), server.password());
    }

    @Override
    TaskStore openSecondStore() {
        return TaskStores.fromUrl(url);
    }

    @Override
    List<String> appliedMigrations() {
        return StoreDatabase.appliedMigrations(url, PostgresServer.shared().user());
    }
}
