package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Decoding {@code timestamps=true} log answers, and resuming one after a drop (no apiserver). */
class StampedLinesTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final StampedLines lines = new StampedLines(out);

    private void answer(String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        lines.feed(b, 0, b.length);
    }

    /** Byte by byte, as the worst network would cut it. */
    private void trickle(String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            lines.feed(b, i, 1);
        }
    }

    private String delivered() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void timestampsAreCutOffAndTheLastOneIsRemembered() throws IOException {
        answer("2024-05-01T10:00:00.1Z one\n2024-05-01T10:00:00.25Z two words\n");

        assertThat(delivered()).isEqualTo("one\ntwo words\n");
        assertThat(lines.lastTimestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00.25Z"));
        assertThat(lines.lines()).isEqualTo(2);
    }

    @Test
    void bytesArrivingOneAtATimeMakeTheSameLines() throws IOException {
        trickle("2024-05-01T10:00:00.1Z one\n2024-05-01T10:00:00.123456789+00:00 two\n\n");

        assertThat(delivered()).isEqualTo("one\ntwo\n\n");
    }

    @Test
    void anEmptyLineAndALastLineWithoutNewlineKeepTheirShape() throws IOException {
        answer("2024-05-01T10:00:00.1Z \n2024-05-01T10:00:00.2Z last");
        lines.end();

        assertThat(delivered()).isEqualTo("\nlast");
    }

    @Test
    void aLineWithoutATimestampPassesUnchanged() throws IOException {
        answer("no stamp here\n" + "x".repeat(60) + " long\n2024-05-01T10:00:00.1Z one\n");

        assertThat(delivered()).isEqualTo("no stamp here\n" + "x".repeat(60) + " long\none\n");
        assertThat(lines.lines()).isEqualTo(1);
    }

    @Test
    void afterADropTheResumedAnswerSkipsTheLinesOfTheSameSecondAlreadyDelivered() throws IOException {
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:00:00.5Z b\n");
        lines.resume(); // sinceTime=10:00:00Z sends the whole second again
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:00:00.5Z b\n2024-05-01T10:00:01.2Z c\n");

        assertThat(delivered()).isEqualTo("a\nb\nc\n");
    }

    @Test
    void linesOlderThanTheLastTimestampAreSkipped() throws IOException {
        answer("2024-05-01T10:00:05.9Z late\n");
        lines.resume();
        answer("2024-05-01T10:00:04Z older\n2024-05-01T10:00:05.9Z late\n2024-05-01T10:00:06Z new\n");

        assertThat(delivered()).isEqualTo("late\nnew\n");
    }

    @Test
    void ofLinesSharingTheLastTimestampOnlyAsManyAsWereDeliveredAreSkipped() throws IOException {
        String t = "2024-05-01T10:00:00.5Z ";
        answer(t + "1\n" + t + "2\n");
        lines.resume();
        answer(t + "1\n" + t + "2\n" + t + "3\n" + t + "4\n");

        assertThat(delivered()).isEqualTo("1\n2\n3\n4\n");
    }

    @Test
    void aLineCutMidwayGoesOnWhereItStopped() throws IOException {
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:00:00.2Z hel");
        lines.resume();
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:00:00.2Z hello\n2024-05-01T10:00:00.3Z b\n");

        assertThat(delivered()).isEqualTo("a\nhello\nb\n");
    }

    @Test
    void aTimestampCutMidwayIsReadAgainWhole() throws IOException {
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:0");
        lines.resume();
        answer("2024-05-01T10:00:00.1Z a\n2024-05-01T10:00:00.2Z b\n");

        assertThat(delivered()).isEqualTo("a\nb\n");
    }

    @Test
    void severalDropsInARowLoseAndRepeatNothing() throws IOException {
        StringBuilder log = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            // three lines per 100 ms, ten per second: many share a second, some a timestamp
            log.append("2024-05-01T10:00:0")
                    .append(i / 10)
                    .append('.')
                    .append(i / 3)
                    .append("Z line ")
                    .append(i)
                    .append('\n');
            expected.append("line ").append(i).append('\n');
        }
        String body = log.toString();
        int[] cuts = {37, 120, 121, 400, body.length() - 3};
        int from = 0;
        for (int cut : cuts) {
            answer(body.substring(from, cut));
            lines.resume();
            // the server answers sinceTime with the whole second of the last line, from its start
            Instant last = lines.lastTimestamp();
            from = last == null ? 0 : body.indexOf("2024-05-01T10:00:0" + (last.getEpochSecond() % 60));
        }
        answer(body.substring(from));
        lines.end();

        assertThat(delivered()).isEqualTo(expected.toString());
    }
}
