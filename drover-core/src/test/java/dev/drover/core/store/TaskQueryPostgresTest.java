package dev.drover.core.store;

/** {@link TaskQueryContract} on PostgreSQL 15 (the test kit's), a new database per test. */
class TaskQueryPostgresTest extends TaskQueryContract {
    @Override
    TestDatabase newDatabase() {
        return TestDatabase.postgres();
    }
}
