package dev.drover.core;

import dev.drover.core.store.TaskStore;

/** {@link ExecutorTest}, every test of it, with the store on PostgreSQL (a new database per test). */
class ExecutorOnPostgresTest extends ExecutorTest {
    @Override
    TaskStore openStore() {
        return ExecutorFixture.postgresStore();
    }
}
