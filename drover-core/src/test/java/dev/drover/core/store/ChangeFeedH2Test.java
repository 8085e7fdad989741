package dev.drover.core.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChangeFeedContract} on an embedded H2 file. */
class ChangeFeedH2Test extends ChangeFeedContract {
    @TempDir
    Path dir;

    @Override
    TestDatabase newDatabase() {
        return TestDatabase.h2(dir);
    }
}
