package dev.drover.core.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link IdempotentSubmitContract} on an embedded H2 file. */
class IdempotentSubmitH2Test extends IdempotentSubmitContract {
    @TempDir
    Path dir;

    @Override
    TestDatabase newDatabase() {
        return TestDatabase.h2(dir);
    }
}
