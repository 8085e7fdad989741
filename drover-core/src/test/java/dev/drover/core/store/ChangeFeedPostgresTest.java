package dev.drover.core.store;

/** {@link ChangeFeedContract} on PostgreSQL 15 (the test kit's), a new database per test. */
class ChangeFeedPostgresTest extends ChangeFeedContract {
    @Override
    TestDatabase newDatabase() {
        return TestDatabase.postgres();
    }
}
