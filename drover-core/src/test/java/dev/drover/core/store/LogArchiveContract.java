package dev.drover.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LogArchive} does, in the database or in a directory. Each test gets an empty
 * archive.
 */
abstract class LogArchiveContract {
    static final long MiB = 1024 * 1024;
    static final long NO_CAP = Long.MAX_VALUE;
    static final Pattern MARKER = Pattern.compile("\\[drover: (.+) cut from the middle of this log \\(cap (.+)\\)]\n");

    /** The archive under test, on a new, empty store or directory. */
    abstract LogArchive archive();

    /** Overwrites chunk {@code seq} of an archived log with bytes that are no gzip. */
    abstract void corruptChunk(String taskId, int tryNumber, String container, int seq) throws Exception;

    /** The space the archive takes where it is kept, for the figures the tests print. */
    abstract long spaceUsed() throws Exception;

    abstract String where();

    ArchivedLog store(String task, int tryNumber, String container, String text, long cap) throws IOException {
        return archive().store(task, tryNumber, container, new ByteArrayInputStream(text.getBytes(UTF_8)), cap);
    }

    String text(String task, int tryNumber, String container) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive().copyTo(task, tryNumber, container, out);
        return out.toString(UTF_8);
    }

    static String numberedLines(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append("line ").append(i).append(": ").append("x".repeat(i % 17)).append('\n');
        }
        return b.toString();
    }

    // --- round trips

    @Test
    void aSmallLogComesBackAsItWasWithWhatItsArchiveTells() throws IOException {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ArchivedLog stored = store("task-1", 1, "main", "hello\nworld\n", NO_CAP);

        assertThat(text("task-1", 1, "main")).isEqualTo("hello\nworld\n");
        assertThat(stored.taskId()).isEqualTo("task-1");
        assertThat(stored.tryNumber()).isEqualTo(1);
        assertThat(stored.container()).isEqualTo("main");
        assertThat(stored.originalBytes()).isEqualTo(12);
        assertThat(stored.storedBytes()).isPositive();
        assertThat(stored.cutBytes()).isZero();
        assertThat(stored.available()).isTrue();
        assertThat(stored.unavailable()).isNull();
        assertThat(stored.archivedAt()).isBetween(before, Instant.now());
        assertThat(archive().find("task-1", 1, "main")).contains(stored);
        assertThat(archive().tail("task-1", 1, "main", 1)).containsExactly("world");
        assertThat(archive().tail("task-1", 1, "main", 5)).containsExactly("hello", "world");
    }

    @Test
    void aLastLineWithoutLineEndIsALineAndStaysWithoutOne() throws IOException {
        store("task-1", 1, "main", "first\nsecond\nno end", NO_CAP);

        assertThat(text("task-1", 1, "main")).isEqualTo("first\nsecond\nno end");
        assertThat(archive().tail("task-1", 1, "main", 2)).containsExactly("second", "no end");
        assertThat(archive().tail("task-1", 1, "main", 0)).isEmpty();
    }

    @Test
    void emptyLinesAndWindowsLineEndsAreLinesOfTheirOwn() throws IOException {
        store("task-1", 1, "main", "a\r\n\r\nb\n\n", NO_CAP);

        assertThat(text("task-1", 1, "main")).isEqualTo("a\r\n\r\nb\n\n");
        assertThat(archive().tail("task-1", 1, "main", 10)).containsExactly("a", "", "b", "");
    }

    @Test
    void anEmptyLogIsArchivedAsEmpty() throws IOException {
        ArchivedLog stored = store("task-1", 1, "main", "", NO_CAP);

        assertThat(stored.originalBytes()).isZero();
        assertThat(stored.cutBytes()).isZero();
        assertThat(stored.available()).isTrue();
        assertThat(archive().find("task-1", 1, "main")).contains(stored);
        assertThat(text("task-1", 1, "main")).isEmpty();
        assertThat(archive().tail("task-1", 1, "main", 3)).isEmpty();
    }

    @Test
    void aLogOfManyChunksComesBackByteForByteAndItsTailSpansChunks() throws IOException {
        String log = numberedLines(0, 120_000); // ~2.5 MB: about ten chunks
        assertThat(log.length()).isGreaterThan(8 * LogChunks.CHUNK);

        ArchivedLog stored = store("task-1", 1, "main", log, NO_CAP);

        assertThat(stored.originalBytes()).isEqualTo(log.length());
        assertThat(stored.cutBytes()).isZero();
        assertThat(stored.storedBytes()).isLessThan(log.length() / 4);
        assertThat(text("task-1", 1, "main")).isEqualTo(log);
        assertThat(archive().tail("task-1", 1, "main", 3))
                .containsExactly(lines(numberedLines(119_997, 120_000)).toArray(String[]::new));
        List<String> many = archive().tail("task-1", 1, "main", 30_000); // > one chunk of lines
        assertThat(many).isEqualTo(lines(numberedLines(90_000, 120_000)));
    }

    @Test
    void aTailAsksOnlyTheLastChunks() throws Exception {
        store("task-1", 1, "main", numberedLines(0, 120_000), NO_CAP);

        corruptChunk("task-1", 1, "main", 0);

        assertThat(archive().tail("task-1", 1, "main", 2))
                .containsExactly(lines(numberedLines(119_998, 120_000)).toArray(String[]::new));
        assertThatThrownBy(() -> text("task-1", 1, "main"))
                .as("the whole text reads the first chunk too")
                .isInstanceOf(IOException.class);
    }

    @Test
    void storingAgainReplacesTheEarlierArchive() throws IOException {
        store("task-1", 1, "main", numberedLines(0, 60_000), NO_CAP);

        ArchivedLog again = store("task-1", 1, "main", "short\n", NO_CAP);

        assertThat(text("task-1", 1, "main")).isEqualTo("short\n");
        assertThat(archive().find("task-1", 1, "main")).contains(again);
        assertThat(archive().list("task-1")).containsExactly(again);
        assertThat(archive().tail("task-1", 1, "main", 5)).containsExactly("short");
    }

    @Test
    void aStreamThatFailsStoresNothingAndKeepsTheEarlierArchive() throws IOException {
        ArchivedLog earlier = store("task-1", 1, "main", "earlier\n", NO_CAP);
        InputStream failing = new InputStream() {
            int left = 3 * LogChunks.CHUNK;

            @Override
            public int read() throws IOException {
                if (left-- == 0) {
                    throw new IOException("connection reset by the kubelet");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> archive().store("task-1", 1, "main", failing, NO_CAP))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");
        assertThat(archive().find("task-1", 1, "main")).contains(earlier);
        assertThat(text("task-1", 1, "main")).isEqualTo("earlier\n");
    }

    // --- the cap

    @Test
    void aLogOverItsCapKeepsHeadAndTailAtLineBoundariesWithAMarkerAndTheExactCut() throws IOException {
        String log = numberedLines(0, 200); // 5 KB, lines of 9 to 28 bytes
        long cap = 1000;

        ArchivedLog stored = store("task-1", 1, "main", log, cap);

        // head: whole lines within half the cap; tail: whole lines within the rest of the cap
        String head = log.substring(0, log.lastIndexOf('\n', (int) (cap / 2) - 1) + 1);
        int tailFrom = log.length() - (int) (cap - head.length());
        String tail = log.substring(log.charAt(tailFrom - 1) == '\n' ? tailFrom : log.indexOf('\n', tailFrom) + 1);
        long cut = log.length() - head.length() - tail.length();
        assertThat(stored.originalBytes()).isEqualTo(log.length());
        assertThat(stored.cutBytes()).isEqualTo(cut);
        assertThat(text("task-1", 1, "main"))
                .isEqualTo(head + "[drover: " + LogChunks.size(cut)
                        + " cut from the middle of this log (cap 1000 bytes)]\n" + tail);
        assertThat(head.length()).isBetween(450, 500);
        assertThat(tail.length()).isBetween(450, 550);
        assertThat(archive().tail("task-1", 1, "main", 2)).isEqualTo(lines(numberedLines(198, 200)));
    }

    @Test
    void aLogAtItsCapExactlyIsKeptWhole() throws IOException {
        String log = numberedLines(0, 100);

        ArchivedLog stored = store("task-1", 1, "main", log, log.length());

        assertThat(stored.cutBytes()).isZero();
        assertThat(text("task-1", 1, "main")).isEqualTo(log);
        assertThat(store("task-1", 1, "main", log, log.length() - 1).cutBytes()).isPositive();
    }

    @Test
    void aLineLongerThanAChunkIsCutInsideItWhenItMustBe() throws IOException {
        String log = "x".repeat(3 * LogChunks.CHUNK); // one line, no line end
        long cap = LogChunks.CHUNK;

        ArchivedLog stored = store("task-1", 1, "main", log, cap);

        String text = text("task-1", 1, "main");
        assertThat(stored.cutBytes()).isEqualTo(log.length() - cap);
        assertThat(text)
                .isEqualTo("x".repeat((int) cap / 2) + "\n[drover: 512.0 KiB cut from the middle of this log (cap 256.0"
                        + " KiB)]\n" + "x".repeat((int) cap / 2));
    }

    @Test
    void aFiftyMegabyteLogIsStreamedIntoItsCapAndItsTailIsTheTrueEnd() throws IOException {
        GeneratedLog generated = new GeneratedLog(50_000_000, true);
        long cap = 10 * MiB;
        long spaceBefore = spaceUsedOrZero();

        ArchivedLog stored = archive().store("task-1", 1, "main", generated, cap);

        long original = generated.bytes();
        assertThat(stored.originalBytes()).isEqualTo(original).isGreaterThanOrEqualTo(50_000_000);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        archive().copyTo("task-1", 1, "main", copy);
        String text = copy.toString(UTF_8);
        Matcher marker = MARKER.matcher(text);
        assertThat(marker.find()).isTrue();
        String head = text.substring(0, marker.start());
        String tail = text.substring(marker.end());
        assertThat(marker.group(2)).isEqualTo("10.0 MiB");
        assertThat(marker.group(1)).isEqualTo(LogChunks.size(stored.cutBytes())).endsWith(" MiB");
        assertThat(stored.cutBytes()).isEqualTo(original - head.length() - tail.length());
        assertThat((long) head.length()).isBetween(cap / 2 - 2000, cap / 2);
        assertThat((long) (head.length() + tail.length())).isBetween(cap - 4000, cap);
        assertThat(head).endsWith("\n");
        assertThat(startOfGenerated(head.length())).isEqualTo(head);
        assertThat(endOfGenerated(original, tail.length() + 1))
                .as("the tail starts at a line start and is the log's true end")
                .isEqualTo("\n" + tail);
        assertThat(stored.storedBytes()).isLessThan(cap / 4);

        List<String> expected = lines(lastGeneratedLines(generated.lines(), 30));
        assertThat(archive().tail("task-1", 1, "main", 5))
                .isEqualTo(expected.subList(expected.size() - 5, expected.size()));
        System.out.printf(
                "[log archive figures] %s: generated %d bytes, cap 10 MiB -> stored %d bytes compressed (%.0f per MB"
                        + " of the %d kept), space used %d bytes%n",
                where(),
                original,
                stored.storedBytes(),
                stored.storedBytes() * 1e6 / (head.length() + tail.length()),
                head.length() + tail.length(),
                spaceUsedOrZero() - spaceBefore);
    }

    @Test
    void aTypicalTextLogCompressesSeveralTimes() throws IOException {
        GeneratedLog generated = new GeneratedLog(8_000_000, false);
        long spaceBefore = spaceUsedOrZero();

        ArchivedLog stored = archive().store("task-1", 1, "main", generated, NO_CAP);

        assertThat(stored.originalBytes()).isEqualTo(generated.bytes());
        assertThat(stored.storedBytes()).isLessThan(stored.originalBytes() / 4);
        List<String> expected = lines(lastGeneratedLines(generated.lines(), 3));
        assertThat(archive().tail("task-1", 1, "main", 3))
                .isEqualTo(expected.subList(expected.size() - 3, expected.size()));
        System.out.printf(
                "[log archive figures] %s: typical text log of %d bytes, no cap -> stored %d bytes (%.0f per MB),"
                        + " space used %d bytes%n",
                where(),
                stored.originalBytes(),
                stored.storedBytes(),
                stored.storedBytes() * 1e6 / stored.originalBytes(),
                spaceUsedOrZero() - spaceBefore);
    }

    // --- unavailable

    @Test
    void anUnavailableLogTellsWhyAndHasNoText() throws IOException {
        store("task-1", 1, "main", "old text\n", NO_CAP);

        ArchivedLog gone = archive().unavailable("task-1", 1, "main", "node worker-3 is gone");

        assertThat(gone.available()).isFalse();
        assertThat(gone.unavailable()).isEqualTo("node worker-3 is gone");
        assertThat(gone.originalBytes()).isZero();
        assertThat(archive().find("task-1", 1, "main")).contains(gone);
        assertThat(text("task-1", 1, "main")).isEmpty();
        assertThat(archive().tail("task-1", 1, "main", 5)).isEmpty();

        ArchivedLog later = store("task-1", 1, "main", "read after all\n", NO_CAP);
        assertThat(archive().find("task-1", 1, "main")).contains(later);
        assertThat(text("task-1", 1, "main")).isEqualTo("read after all\n");
    }

    @Test
    void anUnavailableLogNeedsAReason() {
        assertThatThrownBy(() -> archive().unavailable("task-1", 1, "main", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reason");
    }

    // --- find, list, delete

    @Test
    void unknownLogsAreEmptyAnswersNotErrors() throws IOException {
        store("task-1", 1, "main", "x\n", NO_CAP);

        assertThat(archive().find("task-2", 1, "main")).isEmpty();
        assertThat(archive().find("task-1", 2, "main")).isEmpty();
        assertThat(archive().find("task-1", 1, "sidecar")).isEmpty();
        assertThat(archive().list("task-2")).isEmpty();
        assertThat(archive().tail("task-2", 1, "main", 5)).isEmpty();
        assertThat(text("task-2", 1, "main")).isEmpty();
        archive().delete("task-2");
        assertThat(archive().list("task-1")).hasSize(1);
    }

    @Test
    void listGivesEveryContainerOfEveryTryByTryThenContainer() throws IOException {
        ArchivedLog b2 = store("task-1", 2, "sidecar", "b\n", NO_CAP);
        ArchivedLog a2 = archive().unavailable("task-1", 2, "main", "node gone");
        ArchivedLog c1 = store("task-1", 1, "sidecar", "c\n", NO_CAP);
        ArchivedLog a1 = store("task-1", 1, "main", "a\n", NO_CAP);
        ArchivedLog i1 = store("task-1", 1, "init-schema", "i\n", NO_CAP);
        ArchivedLog other = store("task-10", 1, "main", "other task\n", NO_CAP);

        assertThat(archive().list("task-1")).containsExactly(i1, a1, c1, a2, b2);
        assertThat(archive().list("task-10")).containsExactly(other);
    }

    @Test
    void deleteDropsEveryArchiveOfTheTaskAndNoOther() throws IOException {
        store("task-1", 1, "main", numberedLines(0, 30_000), NO_CAP);
        store("task-1", 2, "main", "try 2\n", NO_CAP);
        archive().unavailable("task-1", 2, "sidecar", "node gone");
        ArchivedLog other = store("task-2", 1, "main", "kept\n", NO_CAP);

        archive().delete("task-1");

        assertThat(archive().list("task-1")).isEmpty();
        assertThat(archive().find("task-1", 1, "main")).isEmpty();
        assertThat(text("task-1", 1, "main")).isEmpty();
        assertThat(archive().list("task-2")).containsExactly(other);
        assertThat(text("task-2", 1, "main")).isEqualTo("kept\n");
        ArchivedLog again = store("task-1", 1, "main", "new\n", NO_CAP);
        assertThat(archive().list("task-1")).containsExactly(again);
    }

    // --- names

    @Test
    void badNamesAreRefusedNamingTheField() {
        InputStream empty = new ByteArrayInputStream(new byte[0]);
        assertThatThrownBy(() -> archive().store("../etc", 1, "main", empty, NO_CAP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskId '../etc'");
        assertThatThrownBy(() -> archive().store("task-1", 0, "main", empty, NO_CAP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tryNumber 0");
        assertThatThrownBy(() -> archive().store("task-1", 1, "Main/x", empty, NO_CAP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("container 'Main/x'")
                .hasMessageContaining("DNS label");
        assertThatThrownBy(() -> archive().store("task-1", 1, "main", empty, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capBytes 0");
        assertThatThrownBy(() -> archive().find("task/1", 1, "main")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> archive().list("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> archive().delete("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> archive().tail("task-1", 1, "main", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lines -1");
    }

    // --- helpers

    private long spaceUsedOrZero() {
        try {
            return spaceUsed();
        } catch (Exception e) {
            return 0;
        }
    }

    static List<String> lines(String text) {
        List<String> out = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            out.removeLast();
        }
        return out;
    }

    /** The last {@code count} generated lines (as written, possibly several lines of text each). */
    static String lastGeneratedLines(long total, int count) {
        StringBuilder b = new StringBuilder();
        for (long n = Math.max(0, total - count); n < total; n++) {
            b.append(GeneratedLog.line(n)).append('\n');
        }
        return b.toString();
    }

    static String startOfGenerated(int bytes) throws IOException {
        return new String(new GeneratedLog(Long.MAX_VALUE, true).readNBytes(bytes), UTF_8);
    }

    /** The last {@code bytes} bytes of a generated log of {@code total} bytes. */
    static String endOfGenerated(long total, int bytes) throws IOException {
        GeneratedLog again = new GeneratedLog(total, true);
        again.skipNBytes(total - bytes);
        byte[] end = again.readAllBytes();
        assertThat(again.bytes()).isEqualTo(total);
        return new String(end, UTF_8);
    }
}
