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
}
