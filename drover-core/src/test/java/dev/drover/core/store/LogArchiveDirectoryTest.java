package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log archive in a directory ({@link LogArchives#directory}): every test gets a new one. */
class LogArchiveDirectoryTest extends LogArchiveContract {
    @TempDir
    Path dir;

    private LogArchive archive;

    @Override
    LogArchive archive() {
        if (archive == null) {
            archive = LogArchives.directory(dir.resolve("logs"));
        }
        return archive;
    }

    @Override
    void corruptChunk(String taskId, int tryNumber, String container, int seq) throws IOException {
        assertThat(seq).as("only the first chunk's place is known here").isZero();
        try (RandomAccessFile f = new RandomAccessFile(
                dir.resolve("logs")
                        .resolve(taskId)
                        .resolve(Integer.toString(tryNumber))
                        .resolve(container + ".log.gz")
                        .toFile(),
                "rw")) {
            f.write(new byte[16]);
        }
    }

    @Override
    long spaceUsed() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long sum = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    @Override
    String where() {
        return "directory";
    }

    @Test
    void theArchiveIsAGzipFileOfTheTextNextToItsRecordAndNothingElse() throws IOException {
        String log = numberedLines(0, 60_000);
        archive().store("task-1", 2, "main", new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), NO_CAP);

        Path tryDir = dir.resolve("logs/task-1/2");
        try (Stream<Path> files = Files.list(tryDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("main.log.gz", "main.log.properties");
        }
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(tryDir.resolve("main.log.gz")))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(log);
        }
    }
}
