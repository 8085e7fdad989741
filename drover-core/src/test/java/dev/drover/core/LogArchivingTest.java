package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.core.store.ArchivedLog;
import dev.drover.core.store.LogArchive;
import dev.drover.core.store.LogArchives;
import dev.drover.sim.SimLogs;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container logs archived when a try ends, before its pod is let go, on the real apiserver. */
@KubernetesTest
class LogArchivingTest {
    private ExecutorFixture fx;

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aFiftyMegabyteLogIsArchivedAsItsHeadAndTailUnderTheCapAndStreamsBack(TestGround ground, TestNamespace ns)
            throws Exception {
        fx = new ExecutorFixture(ground, ns.name());
        fx.startDrover();
        long size = 50_000_000;
        TaskHandle h = fx.drover.submit(fx.task("big", "run=3s; log-bytes=50MB").build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        ArchivedLog a = fx.store.logs().find(t.id(), 1, "main").orElseThrow();
        assertThat(a.originalBytes()).isEqualTo(size);
        // Cut at line ends: what is kept is the cap, less at most a line at each side of the cut.
        assertThat(a.cutBytes())
                .isBetween(
                        size - Drover.DEFAULT_LOG_CAP_BYTES,
                        size - Drover.DEFAULT_LOG_CAP_BYTES + 2 * SimLogs.LINE_BYTES);
        assertThat(a.storedBytes()).as("compressed, under the cap").isLessThan(Drover.DEFAULT_LOG_CAP_BYTES);

        // What comes back: the log's true first lines, the cut said in one line, its true last lines.
        int lines = SimLogs.lineCount(size);
        assertThat(fx.store.logs().tail(t.id(), 1, "main", 2))
                .containsExactly(SimLogs.expectedLine(lines - 2), SimLogs.expectedLine(lines - 1));
        FirstLines head = new FirstLines(3);
        new TaskLogs(fx.store, fx.store.logs(), () -> fx.api)
                .write(new TaskLogs.Request(t.id(), null, null, null, false), head);
        assertThat(head.lines())
                .containsExactly(SimLogs.expectedLine(0), SimLogs.expectedLine(1), SimLogs.expectedLine(2));
        assertThat(head.markers).singleElement().asString().contains("cut from the middle of this log");
        assertThat(head.bytes - head.markerBytes).isEqualTo(size - a.cutBytes());
    }

    @Test
    void aFailedContainersLastLinesInItsFailureDetailsComeFromTheArchiveOfADirectory(
            TestGround ground, TestNamespace ns, @TempDir Path dir) throws Exception {
        fx = new ExecutorFixture(ground, ns.name());
        LogArchive files = LogArchives.directory(dir);
        fx.startDrover(b -> b.logArchive(files).failureLogLines(2));
        TaskHandle h = fx.drover.submit(
                fx.task("crash", "run=500ms; exit=3; log=starting|working|oops").build());

        Task t = fx.awaitEnd(h);
        assertThat(t.state()).isEqualTo(TaskState.FAILED);
        assertThat(t.failure().logTail()).containsExactly("working", "oops");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.copyTo(t.id(), 1, "main", out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("starting\nworking\noops\n");
        assertThat(Files.exists(dir.resolve(t.id()).resolve("1").resolve("main.log.gz")))
                .isTrue();
        assertThat(fx.store.logs().list(t.id()))
                .as("not in the store: the directory was asked for")
                .isEmpty();
    }

    @Test
    void withArchivingOffNothingIsKeptAndTheTailIsStillReadFromThePod(TestGround ground, TestNamespace ns) {
        fx = new ExecutorFixture(ground, ns.name());
        fx.startDrover(b -> b.archiveLogs(false).failureLogLines(1));
        TaskHandle h =
                fx.drover.submit(fx.task("crash", "run=500ms; exit=3; log=a|b").build());

        Task t = fx.awaitEnd(h);
        assertThat(t.failure().logTail()).containsExactly("b");
        assertThat(fx.store.logs().list(t.id())).isEmpty();
    }

    /** Keeps the first few lines and the marker lines; counts the bytes; holds nothing else. */
    private static final class FirstLines extends OutputStream {
        private final int keep;
        private final List<String> kept = new java.util.ArrayList<>();
        final List<String> markers = new java.util.ArrayList<>();
        private final StringBuilder line = new StringBuilder();
        long bytes;
        long markerBytes;

        FirstLines(int keep) {
            this.keep = keep;
        }

        @Override
        public void write(int b) throws IOException {
            bytes++;
            if (b != '\n') {
                if (line.length() < 200) {
                    line.append((char) b);
                }
                return;
            }
            String l = line.toString();
            line.setLength(0);
            if (l.startsWith("[drover:")) {
                markers.add(l);
                markerBytes += l.length() + 1;
            } else if (kept.size() < keep) {
                kept.add(l);
            }
        }

        List<String> lines() {
            return kept;
        }
    }
}
