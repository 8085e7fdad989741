package dev.drover.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small formats a kubelet's output is made of. */
class KubeletFormatsTest {

    @Test
    void logTimestampsUseGoRfc3339NanoWithTrailingZerosTrimmed() {
        assertThat(KubeTime.nanos(Instant.parse("2021-03-01T10:00:00.123456789Z")))
                .isEqualTo("2021-03-01T10:00:00.123456789Z");
        assertThat(KubeTime.nanos(Instant.parse("2021-03-01T10:00:00.120Z"))).isEqualTo("2021-03-01T10:00:00.12Z");
        assertThat(KubeTime.nanos(Instant.parse("2021-03-01T10:00:00Z"))).isEqualTo("2021-03-01T10:00:00Z");
    }

    @Test
    void apiTimestampsHaveWholeSeconds() {
        assertThat(KubeTime.seconds(Instant.parse("2021-03-01T10:00:00.987Z"))).isEqualTo("2021-03-01T10:00:00Z");
    }

    @Test
    void goSliceFormattingIsUsedInConditionMessages() {
        assertThat(KubeletStatus.goList(List.of("main", "sidecar"))).isEqualTo("[main sidecar]");
    }

    @Test
    void imageIdsArePinnedToADigestOfTheNormalizedRepository() {
        assertThat(ContainerIds.imageId("busybox:1.36")).startsWith("docker.io/library/busybox@sha256:");
        assertThat(ContainerIds.imageId("apache/airflow:2.9")).startsWith("docker.io/apache/airflow@sha256:");
        assertThat(ContainerIds.imageId("quay.io/x/y")).startsWith("quay.io/x/y@sha256:");
        assertThat(ContainerIds.containerId()).matches("sim://[0-9a-f]{64}");
    }

    @Test
    void imagePullBackOffDoublesUpToSixteenTimesTheBase() {
        Duration base = Duration.ofMillis(100);
        assertThat(SimKubelet.backoff(base, 1)).isEqualTo(Duration.ofMillis(100));
        assertThat(SimKubelet.backoff(base, 2)).isEqualTo(Duration.ofMillis(200));
        assertThat(SimKubelet.backoff(base, 9)).isEqualTo(Duration.ofMillis(1600));
    }

    @Test
    void pullDurationsReadLikeGoDurations() {
        assertThat(KubeTime.goDuration(Duration.ofMillis(512))).isEqualTo("512ms");
        assertThat(KubeTime.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(KubeTime.goDuration(Duration.ofNanos(1500))).isEqualTo("1.5µs");
    }

    @Test
    void logOptionsSelectTheTailOfWhatWasWrittenSinceAGivenTime() {
        ContainerLog log = new ContainerLog("main", List.of("a", "b", "c", "d"));
        Instant start = Instant.parse("2021-03-01T10:00:00Z");
        log.start(start, Duration.ofSeconds(4)); // lines at +0s, +1s, +2s, +3s
        Instant now = start.plusMillis(2500);

        assertThat(LogOptions.parse("", now).firstLine(log, now)).isZero();
        assertThat(LogOptions.parse("tailLines=1", now).firstLine(log, now)).isEqualTo(2);
        assertThat(LogOptions.parse("sinceTime=2021-03-01T10:00:01Z", now).firstLine(log, now))
                .isEqualTo(1);
        assertThat(LogOptions.parse("sinceSeconds=1", now).firstLine(log, now)).isEqualTo(2);
        assertThat(log.written(2, now)).isTrue();
        assertThat(log.written(3, now)).isFalse();
    }

    @Test
    void aKilledContainerWritesNoLinesAfterItsEnd() {
        ContainerLog log = new ContainerLog("main", List.of("a", "b"));
        Instant start = Instant.parse("2021-03-01T10:00:00Z");
        log.start(start, Duration.ofSeconds(10));
        log.finish(start.plusSeconds(1));

        assertThat(log.written(0, start.plusSeconds(20))).isTrue();
        assertThat(log.written(1, start.plusSeconds(20))).isFalse();
        assertThat(log.exhaustedFrom(1)).isTrue();
    }

    @Test
    void timestampedLinesArePrefixedWithTheirTime() {
        ContainerLog log = new ContainerLog("main", List.of("hello"));
        log.start(Instant.parse("2021-03-01T10:00:00.5Z"), Duration.ofSeconds(1));
        LogOptions opts = LogOptions.parse("timestamps=true", Instant.now());

        assertThat(opts.render(log, 0)).isEqualTo("2021-03-01T10:00:00.5Z hello\n");
    }

    @Test
    void generatedLogLinesAreHundredBytesAndNameTheirIndex() {
        String line = SimLogs.expectedLine(1234);

        assertThat(line).startsWith("line 000001234 ");
        assertThat(line.length() + 1).isEqualTo(SimLogs.LINE_BYTES);
        assertThat(SimLogs.indexOf(line)).isEqualTo(1234);
        assertThat(SimLogs.indexOf("2021-03-01T10:00:00Z " + line)).isEqualTo(1234);
        assertThat(SimLogs.indexOf("hello")).isEqualTo(-1);
        assertThat(SimLogs.expectedLine(1)).isNotEqualTo(SimLogs.expectedLine(2).replace("0002", "0001"));
        assertThat(SimLogs.lineCount(50_000_000)).isEqualTo(500_000);
        assertThat(SimLogs.lineCount(150)).isEqualTo(2);
        assertThat(SimLogs.lineCount(0)).isZero();
    }

    @Test
    void aGeneratedLogComputesItsTailAndSinceWithoutWalkingIt() {
        ContainerLog log = ContainerLog.generated("main", 1_000_000_000); // 10 million lines
        Instant start = Instant.parse("2021-03-01T10:00:00Z");
        log.start(start, Duration.ofSeconds(10)); // a line every microsecond
        Instant now = start.plusSeconds(5);

        assertThat(log.writtenBy(now)).isEqualTo(5_000_001);
        assertThat(LogOptions.parse("tailLines=3", now).firstLine(log, now)).isEqualTo(4_999_998);
        assertThat(LogOptions.parse("sinceTime=2021-03-01T10:00:02Z", now).firstLine(log, now))
                .isEqualTo(2_000_000);
        assertThat(log.line(4_999_998)).isEqualTo(SimLogs.expectedLine(4_999_998));
        assertThat(log.lineTime(2_000_000)).isEqualTo(start.plusSeconds(2));
    }

    @Test
    void everyLineHasItsOwnNanosecondEvenWhenTheRunIsShorterThanTheLog() {
        ContainerLog log = ContainerLog.generated("main", 1_000);
        Instant start = Instant.parse("2021-03-01T10:00:00Z");
        log.start(start, Duration.ZERO);
        log.complete(start);

        assertThat(log.lineTime(1)).isAfter(log.lineTime(0));
        assertThat(log.writtenBy(start.plusSeconds(1))).isEqualTo(10);
        assertThat(log.exhaustedFrom(10)).isTrue();
    }

    @Test
    void aSinceTimeBetweenTwoLinesStartsAtTheLaterOne() {
        ContainerLog log = new ContainerLog("main", List.of("a", "b", "c"));
        Instant start = Instant.parse("2021-03-01T10:00:00Z");
        log.start(start, Duration.ofSeconds(3));
        Instant now = start.plusSeconds(10);

        assertThat(log.firstAtOrAfter(start.plusMillis(1))).isEqualTo(1);
        assertThat(log.firstAtOrAfter(start.plusSeconds(1))).isEqualTo(1);
        assertThat(log.firstAtOrAfter(start.minusSeconds(1))).isZero();
        assertThat(log.firstAtOrAfter(start.plusSeconds(9))).isEqualTo(3);
        assertThat(LogOptions.parse("sinceTime=2021-03-01T10:00:09Z", now).firstLine(log, now))
                .isEqualTo(3);
    }
}
