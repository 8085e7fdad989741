package dev.drover.core.store;

/** {@link IdempotentSubmitContract} on PostgreSQL 15 (the test kit's), a new database per test. */
class IdempotentSubmitPostgresTest extends IdempotentSubmitContract {
    @Override
    TestDatabase newDatabase() {
        return TestDatabase.postgres();
    }
}
