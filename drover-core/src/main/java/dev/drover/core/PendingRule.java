package dev.drover.core;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * What to do with a pod that waits to start: a rule matches a container's waiting reason (e.g.
 * {@code ErrImagePull}), its message (a regular expression, found anywhere in it) and/or the
 * reasons of the pod's recent Events; every part given must match. Once a pod has matched the
 * same rule for {@code grace}, the rule's {@link Action} is taken. The first matching rule wins.
 *
 * <pre>{@code
 * PendingRule.named("quota-mirror-down").reasons("ErrImagePull", "ImagePullBackOff")
 *         .message("mirror\\.internal.*connection refused").action(PendingRule.Action.WAIT).build()
 * }</pre>
 *
 * @param reasons waiting reasons (or {@code Unschedulable}, {@code SchedulingGated}); empty: any
 * @param message a regular expression found in the waiting message; null: any
 * @param eventReasons reasons of the pod's recent Events, one of which must be there; empty: any
 * @param grace how long the pod must have matched before the action is taken; zero: at once
 */
public record PendingRule(
        String name,
        Set<String> reasons,
        @Nullable String message,
        Set<String> eventReasons,
        Duration grace,
        Action action) {

    /** What a rule does once its grace is over. */
    public enum Action {
        /** The task fails now; its retries are not used (another try would make the same pod). */
        FAIL,
        /** The try fails; it is retried after the backoff while the task has retries left. */
        RETRY,
        /** Keep waiting, within the task's startup timeout. */
        WAIT
    }

    public PendingRule {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a pending rule needs a name");
        }
        reasons = reasons == null ? Set.of() : Set.copyOf(reasons);
        eventReasons = eventReasons == null ? Set.of() : Set.copyOf(eventReasons);
        if (reasons.isEmpty() && message == null && eventReasons.isEmpty()) {
            throw new IllegalArgumentException(
                    "pending rule '" + name + "' matches everything; give reasons, message or eventReasons");
        }
        if (message != null) {
            try {
                Pattern.compile(message);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pending rule '" + name + "': message '" + message
                        + "' is not a regular expression (" + e.getDescription() + ")");
            }
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException(
                    "pending rule '" + name + "': grace must be zero or more (got " + grace + ")");
        }
        Objects.requireNonNull(action, () -> "pending rule '" + name + "' needs an action");
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    /** Drover's default rules, in order (see the README's "Pending rules"). */
    public static List<PendingRule> defaults() {
        return PendingRules.defaults().rules();
    }

    /**
     * Rules from YAML: a list, or a mapping whose only key is {@code pendingRules}, of rules with
     * {@code name}, {@code reasons}, {@code message}, {@code eventReasons}, {@code grace} (e.g.
     * {@code 30s}, {@code 5m}, {@code PT1M}; default 0) and {@code action} (fail, retry, wait).
     * Throws IllegalArgumentException naming the rule and field, e.g. {@code pendingRules[2]
     * (slow-mirror).grace: '5x' is not a duration}.
     */
    public static List<PendingRule> fromYaml(String yaml) {
        return PendingRules.fromYaml(yaml).rules();
    }

    public static final class Builder {
        private final String name;
        private final Set<String> reasons = new LinkedHashSet<>();
        private @Nullable String message;
        private final Set<String> eventReasons = new LinkedHashSet<>();
        private Duration grace = Duration.ZERO;
        private Action action = Action.FAIL;

        private Builder(String name) {
            this.name = name;
        }

        public Builder reasons(String... reasons) {
            this.reasons.addAll(List.of(reasons));
            return this;
        }

        public Builder message(String regex) {
            this.message = regex;
            return this;
        }

        public Builder eventReasons(String... reasons) {
            this.eventReasons.addAll(List.of(reasons));
            return this;
        }

        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        public Builder action(Action action) {
            this.action = action;
            return this;
        }

        public PendingRule build() {
            return new PendingRule(name, reasons, message, eventReasons, grace, action);
        }
    }
}
