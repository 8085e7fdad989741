package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.kube.EventView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure details list a pod's Events oldest first, as they were written. */
class EventOrderTest {
    private static EventView event(String reason, String rv, Instant last) {
        return new EventView(
                "ns",
                reason,
                "uid-" + reason,
                rv,
                "Pod",
                "p",
                "pod-uid",
                null,
                "Normal",
                reason,
                "",
                1,
                last,
                last,
                "kubelet");
    }

    @Test
    void eventsOfTheSameSecondKeepTheOrderTheyWereWrittenIn() {
        Instant second = Instant.parse("2030-01-01T00:00:05Z");
        List<EventView> unordered = List.of(
                event("Started", "107", second),
                event("Pulled", "103", second),
                event("Scheduled", "99", Instant.parse("2030-01-01T00:00:04Z")),
                event("Created", "105", second),
                event("Killing", "110", Instant.parse("2030-01-01T00:00:06Z")));

        List<String> reasons = unordered.stream()
                .sorted(PodTracker.EVENT_ORDER)
                .map(EventView::reason)
                .toList();

        assertThat(reasons).containsExactly("Scheduled", "Pulled", "Created", "Started", "Killing");
    }
}
