package dev.drover.core;

import dev.drover.core.store.TaskStore;

/** {@link ExecutorDefectsTest}, every test of it, with the store on PostgreSQL (a new database per test). */
class ExecutorDefectsOnPostgresTest extends ExecutorDefectsTest {
    @Override
    TaskStore openStore() {
        return ExecutorFixture.postgresStore();
    }
}
