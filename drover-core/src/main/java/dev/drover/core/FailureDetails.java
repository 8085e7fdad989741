package dev.drover.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Why a try failed, as specific as the pod allows: the failing container (init containers first),
 * its exit code and reason, or the waiting reason that made it hopeless; recent Events and the
 * last log lines when they could be had.
 *
 * @param container null when the failure is the pod's (e.g. ProviderFailed, deleted)
 */
public record FailureDetails(
        String reason,
        @Nullable String message,
        @Nullable String container,
        @Nullable Integer exitCode,
        List<String> events,
        List<String> logTail) {

    public FailureDetails {
        events = events == null ? List.of() : List.copyOf(events);
        logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }

    public static FailureDetails of(String reason, String message) {
        return new FailureDetails(reason, message, null, null, List.of(), List.of());
    }

    public FailureDetails withEvents(List<String> events) {
        return new FailureDetails(reason, message, container, exitCode, events, logTail);
    }

    public FailureDetails withLogTail(List<String> logTail) {
        return new FailureDetails(reason, message, container, exitCode, events, logTail);
    }

    /** One line for people: {@code container main exited 3 (Error): ...}. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        if (container != null) {
            b.append("container ").append(container).append(": ");
        }
        b.append(reason == null ? "failed" : reason);
        if (exitCode != null) {
            b.append(" (exit code ").append(exitCode).append(')');
        }
        if (message != null && !message.isBlank()) {
            b.append(": ").append(message);
        }
        return b.toString();
    }
}
