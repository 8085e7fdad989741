package dev.drover.core.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link TaskQueryContract} on an embedded H2 file. */
class TaskQueryH2Test extends TaskQueryContract {
    @TempDir
    Path dir;

    @Override
    TestDatabase newDatabase() {
        return TestDatabase.h2(dir);
    }
}
