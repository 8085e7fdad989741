package dev.drover.core;

import dev.drover.core.store.TaskStore;

/** {@link ExecutorRecoveryTest}, every test of it, with the store on PostgreSQL (a new database per test). */
class ExecutorRecoveryOnPostgresTest extends ExecutorRecoveryTest {
    @Override
    TaskStore openStore() {
        return ExecutorFixture.postgresStore();
    }
}
