package dev.drover.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.core.PendingRule.Action;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The pending rules in force, in order: the first whose parts all match a waiting container wins.
 * Data, not code (like Armada's and Flyte's pending checks), so users can change them; loaded from
 * YAML with errors that name the rule and the field.
 */
final class PendingRules {
    /** A registry that rate-limits pulls: the kubelet retries, so the pod waits. */
    static final String THROTTLED = "(?i)pull QPS exceeded|toomanyrequests|429 Too Many Requests";

    /**
     * A registry that is down or failing (HTTP 500/502/503/504, or unreachable). Matched with their
     * words, never a bare number: an image tag may be {@code :503}.
     */
    static final String UNAVAILABLE = "(?i)\\b50[0234] (Internal Server Error|Bad Gateway|Service Unavailable"
            + "|Gateway Time-?out)|status(?: code)?:? 50[0234]\\b|connection refused|i/o timeout"
            + "|TLS handshake timeout";

    private static final Set<String> PULLS = Set.of("ErrImagePull", "ImagePullBackOff");

    private static final List<PendingRule> THROTTLING = List.of(
            PendingRule.named("registry-throttled")
                    .reasons("ErrImagePull", "ImagePullBackOff")
                    .message(THROTTLED)
                    .action(Action.WAIT)
                    .build(),
            PendingRule.named("registry-unavailable")
                    .reasons("ErrImagePull", "ImagePullBackOff")
                    .message(UNAVAILABLE)
                    .action(Action.WAIT)
                    .build());

    private static final PendingRules DEFAULTS = new PendingRules(concat(
            List.of(
                    PendingRule.named("invalid-image-name")
                            .reasons("InvalidImageName")
                            .action(Action.FAIL)
                            .build(),
                    PendingRule.named("image-never-pulled")
                            .reasons("ErrImageNeverPull")
                            .action(Action.FAIL)
                            .build()),
            THROTTLING,
            List.of(
                    // Not found, manifest unknown, unauthorized, denied: an image may be pushed or a
                    // pull secret fixed a moment later, so a short grace; then it is a failed try.
                    PendingRule.named("image-pull-failed")
                            .reasons("ErrImagePull", "ImagePullBackOff")
                            .grace(Duration.ofSeconds(30))
                            .action(Action.RETRY)
                            .build(),
                    PendingRule.named("container-config-error")
                            .reasons("CreateContainerConfigError")
                            .action(Action.RETRY)
                            .build(),
                    PendingRule.named("container-create-error")
                            .reasons("CreateContainerError")
                            .action(Action.RETRY)
                            .build(),
                    PendingRule.named("image-inspect-error")
                            .reasons("ImageInspectError")
                            .action(Action.RETRY)
                            .build())));

    private record Compiled(PendingRule rule, @Nullable Pattern message) {}

    private final List<PendingRule> rules;
    private final List<Compiled> compiled;
    private final boolean usesEvents;

    private PendingRules(List<PendingRule> rules) {
        this.rules = List.copyOf(rules);
        this.compiled = this.rules.stream()
                .map(r -> new Compiled(r, r.message() == null ? null : Pattern.compile(r.message())))
                .toList();
        this.usesEvents = this.rules.stream().anyMatch(r -> !r.eventReasons().isEmpty());
    }

    static PendingRules defaults() {
        return DEFAULTS;
    }

    static PendingRules of(List<PendingRule> rules) {
        Set<String> names = new LinkedHashSet<>();
        for (PendingRule r : rules) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("two pending rules are named '" + r.name() + "'; names must differ");
            }
        }
        return new PendingRules(rules);
    }

    /**
     * The older setting {@code fatalWaitingReasons}: each reason ends the try at once (as it always
     * did), except pulls a throttled or failing registry answered, which wait.
     */
    static PendingRules failingAtOnce(Set<String> reasons) {
        List<PendingRule> rules = new ArrayList<>();
        if (reasons.stream().anyMatch(PULLS::contains)) {
            rules.addAll(THROTTLING);
        }
        reasons.stream()
                .sorted()
                .forEach(r -> rules.add(PendingRule.named("fatal-" + r)
                        .reasons(r)
                        .action(Action.RETRY)
                        .build()));
        return new PendingRules(rules);
    }

    List<PendingRule> rules() {
        return rules;
    }

    /** Whether any rule looks at Events (so the caller need not fetch them otherwise). */
    boolean usesEvents() {
        return usesEvents;
    }

    /**
     * The first rule matching a waiting reason and message; {@code events} are the pod's recent
     * Events as the tracker gives them ({@code "Type Reason: message"}).
     */
    @Nullable
    PendingRule match(@Nullable String reason, @Nullable String message, List<String> events) {
        for (Compiled c : compiled) {
            PendingRule r = c.rule();
            if (!r.reasons().isEmpty() && (reason == null || !r.reasons().contains(reason))) {
                continue;
            }
            if (c.message() != null
                    && (message == null || !c.message().matcher(message).find())) {
                continue;
            }
            if (!r.eventReasons().isEmpty()
                    && events.stream().map(PendingRules::eventReason).noneMatch(r.eventReasons()::contains)) {
                continue;
            }
            return r;
        }
        return null;
    }

    /** {@code "Warning Failed: Error: ErrImagePull"} → {@code Failed}. */
    static @Nullable String eventReason(String line) {
        int space = line.indexOf(' ');
        int colon = line.indexOf(':', space + 1);
        return space < 0 || colon < 0 ? null : line.substring(space + 1, colon);
    }

    // --- YAML

    private static final Set<String> FIELDS = Set.of("name", "reasons", "message", "eventReasons", "grace", "action");

    static PendingRules fromYaml(String yaml) {
        JsonNode doc;
        try {
            doc = PodFactory.YAML.readTree(yaml == null ? "" : yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("pendingRules: not valid YAML (" + e.getOriginalMessage() + ")");
        }
        if (doc != null && doc.isObject()) {
            for (Map.Entry<String, JsonNode> e : doc.properties()) {
                if (!e.getKey().equals("pendingRules")) {
                    throw new IllegalArgumentException(
                            e.getKey() + ": unknown field; pending rules are given as pendingRules: [...]");
                }
            }
            doc = doc.get("pendingRules");
        }
        if (doc == null || !doc.isArray()) {
            throw new IllegalArgumentException(
                    "pendingRules: must be a list of rules (name, reasons, message, eventReasons, grace, action)");
        }
        List<PendingRule> rules = new ArrayList<>();
        for (int i = 0; i < doc.size(); i++) {
            rules.add(rule(doc.get(i), i));
        }
        try {
            return of(rules);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pendingRules: " + e.getMessage());
        }
    }

    private static PendingRule rule(JsonNode n, int i) {
        String at = "pendingRules[" + i + "]";
        if (!n.isObject()) {
            throw new IllegalArgumentException(
                    at + ": must be a mapping with name, reasons/message/eventReasons," + " grace and action");
        }
        JsonNode nameNode = n.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isBlank()) {
            throw new IllegalArgumentException(at + ".name: required, a text such as registry-throttled");
        }
        String name = nameNode.asText();
        String rule = at + " (" + name + ")";
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw new IllegalArgumentException(rule + "." + e.getKey() + ": unknown field; a rule has "
                        + "name, reasons, message, eventReasons, grace, action");
            }
        }
        Set<String> reasons = texts(n.get("reasons"), rule + ".reasons");
        Set<String> eventReasons = texts(n.get("eventReasons"), rule + ".eventReasons");
        String message = null;
        if (n.hasNonNull("message")) {
            if (!n.get("message").isTextual()) {
                throw new IllegalArgumentException(rule + ".message: must be a text (a regular expression)");
            }
            message = n.get("message").asText();
            try {
                Pattern.compile(message);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        rule + ".message: '" + message + "' is not a regular expression (" + e.getDescription() + ")");
            }
        }
        if (reasons.isEmpty() && message == null && eventReasons.isEmpty()) {
            throw new IllegalArgumentException(rule + ": matches every pod; give reasons, message or eventReasons");
        }
        Duration grace = Duration.ZERO;
        if (n.hasNonNull("grace")) {
            String g = n.get("grace").asText();
            grace = DurationText.parse(g);
            if (grace == null) {
                throw new IllegalArgumentException(
                        rule + ".grace: '" + g + "' is not a duration; write e.g. 0, 30s, 5m, 1h30m or PT30S");
            }
        }
        JsonNode actionNode = n.get("action");
        if (actionNode == null || actionNode.isNull()) {
            throw new IllegalArgumentException(rule + ".action: required, one of fail, retry, wait");
        }
        Action action;
        try {
            action = Action.valueOf(actionNode.asText().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    rule + ".action: '" + actionNode.asText() + "' is not one of fail, retry, wait");
        }
        return new PendingRule(name, reasons, message, eventReasons, grace, action);
    }

    private static Set<String> texts(@Nullable JsonNode n, String at) {
        if (n == null || n.isNull()) {
            return Set.of();
        }
        if (n.isTextual()) {
            return Set.of(n.asText());
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(at + ": must be a list of texts, e.g. [ErrImagePull, ImagePullBackOff]");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new IllegalArgumentException(at + "[" + i + "]: must be a text such as ErrImagePull");
            }
            out.add(v.asText());
        }
        return out;
    }

    @SafeVarargs
    private static List<PendingRule> concat(List<PendingRule>... parts) {
        List<PendingRule> out = new ArrayList<>();
        for (List<PendingRule> p : parts) {
            out.addAll(p);
        }
        return out;
    }
}
