package dev.drover.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code logs --smoke} on its own test ground gives sane results: the archive-size tasks all
 * archived their logs and the store grew, the big log was followed with no line lost or repeated,
 * its archive is within the cap and reads back as head, marker and tail, and the heap was sampled.
 * No timing or heap size is asserted.
 */
class LogsBenchSmokeTest {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void smokeRunGivesSaneResults() throws Exception {
        LogsCommand cmd = new LogsCommand();
        new CommandLine(cmd).parseArgs("--smoke");
        LogsBench.Report r = cmd.bench(Progress.stderr());

        assertThat(r.archive()).hasSize(1);
        LogsArchiveSize.Result a = r.archive().getFirst();
        assertThat(a.succeeded()).isEqualTo(a.tasks());
        assertThat(a.archives()).as("one archive per task").isEqualTo(a.tasks());
        assertThat(a.originalBytes()).isEqualTo(a.tasks() * a.logBytesPerTask());
        assertThat(a.storedBytes()).isPositive();
        assertThat(a.onDiskAfter()).as("the H2 file grew").isGreaterThan(a.onDiskBefore());

        LogsFollowHeap.Result f = r.follow();
        assertThat(f.taskState()).isEqualTo("SUCCEEDED");
        assertThat(f.error()).isNull();
        assertThat(f.followed().complete())
                .as("followed: every line once, in order: %s", f.followed())
                .isTrue();
        assertThat(f.archivedOriginalBytes()).isEqualTo(f.logBytes());
        assertThat(f.archivedOriginalBytes() - f.archivedCutBytes()).isLessThanOrEqualTo(f.capBytes());
        assertThat(f.archivedCutBytes()).as("the smoke's log is over the cap").isPositive();
        assertThat(LogsTables.archiveConsistent(f))
                .as("archive reads back as head + marker + tail: %s", f.archived())
                .isTrue();
        assertThat(f.followHeap().sampledPeak()).isPositive();
        assertThat(f.followHeap().fullGcs()).isPositive();
        assertThat(LogsTables.render(r)).contains("Archive bytes in the store per MB", "Heap while a");
        assertThat(OutputOptions.JSON.writeValueAsString(r)).contains("\"follow\"");
    }
}
