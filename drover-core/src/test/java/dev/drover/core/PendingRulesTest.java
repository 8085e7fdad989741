package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.core.PendingRule.Action;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pending rules as a table: a waiting reason and message in, the rule (name, grace, action) out. */
class PendingRulesTest {
    private final PendingRules defaults = PendingRules.defaults();

    @ParameterizedTest(name = "{0} ''{1}'' → {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "InvalidImageName           | couldn't parse image reference \"Bad:Tag\"                       | invalid-image-name     | 0   | FAIL",
                "ErrImageNeverPull          | Container image \"x\" is not present with pull policy of Never   | image-never-pulled     | 0   | FAIL",
                "ErrImagePull               | rpc error: pull QPS exceeded                                    | registry-throttled     | 0   | WAIT",
                "ErrImagePull               | failed to pull: toomanyrequests: You have reached your pull rate limit | registry-throttled | 0 | WAIT",
                "ImagePullBackOff           | unexpected status: 429 Too Many Requests                        | registry-throttled     | 0   | WAIT",
                "ErrImagePull               | received unexpected HTTP status: 500 Internal Server Error      | registry-unavailable   | 0   | WAIT",
                "ErrImagePull               | unexpected status code 502 Bad Gateway                          | registry-unavailable   | 0   | WAIT",
                "ErrImagePull               | received unexpected HTTP status: 503 Service Unavailable        | registry-unavailable   | 0   | WAIT",
                "ErrImagePull               | unexpected status code 504 Gateway Timeout                      | registry-unavailable   | 0   | WAIT",
                "ErrImagePull               | dial tcp 10.0.0.9:443: connect: connection refused              | registry-unavailable   | 0   | WAIT",
                "ErrImagePull               | failed to resolve reference \"r/app:1\": not found              | image-pull-failed      | 30  | RETRY",
                "ErrImagePull               | manifest unknown: manifest unknown                              | image-pull-failed      | 30  | RETRY",
                "ErrImagePull               | pull access denied, repository does not exist                   | image-pull-failed      | 30  | RETRY",
                "ErrImagePull               | 401 Unauthorized                                                | image-pull-failed      | 30  | RETRY",
                "ErrImagePull               | failed to resolve reference \"r/app:503\": not found            | image-pull-failed      | 30  | RETRY",
                "ImagePullBackOff           | Back-off pulling image \"r/app:1\"                              | image-pull-failed      | 30  | RETRY",
                "CreateContainerConfigError | secret \"db\" not found                                         | container-config-error | 0   | RETRY",
                "CreateContainerError       | context deadline exceeded                                       | container-create-error | 0   | RETRY",
                "ImageInspectError          | Failed to inspect image                                         | image-inspect-error    | 0   | RETRY",
            })
    void eachDefaultRule(String reason, String message, String rule, long graceSeconds, Action action) {
        PendingRule r = defaults.match(reason, message, List.of());

        assertThat(r).isNotNull();
        assertThat(r.name()).isEqualTo(rule);
        assertThat(r.grace()).isEqualTo(Duration.ofSeconds(graceSeconds));
        assertThat(r.action()).isEqualTo(action);
    }

    @Test
    void waitingReasonsOfAPodOnItsWayMatchNoRule() {
        for (String reason : List.of("ContainerCreating", "PodInitializing", "Unschedulable", "SchedulingGated")) {
            assertThat(defaults.match(reason, "whatever", List.of())).as(reason).isNull();
        }
        assertThat(defaults.match(null, null, List.of())).isNull();
    }

    @Test
    void theFirstMatchingRuleWins() {
        PendingRules rules = PendingRules.of(List.of(
                PendingRule.named("mirror-down")
                        .message("mirror\\.internal")
                        .action(Action.WAIT)
                        .build(),
                PendingRule.named("pulls")
                        .reasons("ErrImagePull")
                        .action(Action.FAIL)
                        .build()));

        assertThat(rules.match("ErrImagePull", "dial mirror.internal: refused", List.of())
                        .name())
                .isEqualTo("mirror-down");
        assertThat(rules.match("ErrImagePull", "not found", List.of()).name()).isEqualTo("pulls");
    }

    @Test
    void aRuleWithEventReasonsMatchesOnlyWhenTheEventIsRecent() {
        PendingRules rules = PendingRules.of(List.of(PendingRule.named("stuck-mount")
                .reasons("ContainerCreating")
                .eventReasons("FailedMount")
                .grace(Duration.ofMinutes(2))
                .action(Action.RETRY)
                .build()));

        assertThat(rules.usesEvents()).isTrue();
        assertThat(rules.match("ContainerCreating", null, List.of("Normal Scheduled: assigned to n1")))
                .isNull();
        assertThat(rules.match(
                        "ContainerCreating",
                        null,
                        List.of("Warning FailedMount: MountVolume.SetUp failed for volume \"data\" (x3)")))
                .isNotNull();
    }

    @Test
    void theOlderFatalWaitingReasonsEndTheTryAtOnceButThrottledPullsStillWait() {
        PendingRules rules = PendingRules.failingAtOnce(Set.of("ErrImagePull", "ImagePullBackOff"));

        assertThat(rules.match("ImagePullBackOff", "Back-off", List.of()))
                .isEqualTo(PendingRule.named("fatal-ImagePullBackOff")
                        .reasons("ImagePullBackOff")
                        .action(Action.RETRY)
                        .build());
        assertThat(rules.match("ErrImagePull", "pull QPS exceeded", List.of()).action())
                .isEqualTo(Action.WAIT);
        assertThat(rules.match("InvalidImageName", "x", List.of()))
                .as("not in the set")
                .isNull();
    }

    @Test
    void rulesLoadFromYaml() {
        List<PendingRule> rules = PendingRule.fromYaml("""
                pendingRules:
                  - name: slow-mirror
                    reasons: [ErrImagePull, ImagePullBackOff]
                    message: "mirror\\\\.internal"
                    grace: 5m
                    action: wait
                  - name: missing-secret
                    reasons: CreateContainerConfigError
                    eventReasons: [Failed]
                    grace: PT1M
                    action: FAIL
                """);

        assertThat(rules)
                .containsExactly(
                        PendingRule.named("slow-mirror")
                                .reasons("ErrImagePull", "ImagePullBackOff")
                                .message("mirror\\.internal")
                                .grace(Duration.ofMinutes(5))
                                .action(Action.WAIT)
                                .build(),
                        PendingRule.named("missing-secret")
                                .reasons("CreateContainerConfigError")
                                .eventReasons("Failed")
                                .grace(Duration.ofMinutes(1))
                                .action(Action.FAIL)
                                .build());
        assertThat(PendingRule.fromYaml("- {name: a, reasons: [X], action: retry}"))
                .singleElement()
                .satisfies(r -> assertThat(r.grace()).isZero());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "- {name: a, reasons: [X], action: wait}\\n- {name: b, reasons: [Y], grace: 5x, action: fail}"
                        + "| pendingRules[1] (b).grace: '5x' is not a duration; write e.g. 0, 30s, 5m, 1h30m or PT30S",
                "- {name: a, reasons: [X], action: stop} | pendingRules[0] (a).action: 'stop' is not one of fail, retry, wait",
                "- {name: a, reasons: [X]}               | pendingRules[0] (a).action: required, one of fail, retry, wait",
                "- {name: a, reason: [X], action: fail}  | pendingRules[0] (a).reason: unknown field; a rule has name, reasons,"
                        + " message, eventReasons, grace, action",
                "- {reasons: [X], action: fail}          | pendingRules[0].name: required, a text such as registry-throttled",
                "- {name: a, action: fail}               | pendingRules[0] (a): matches every pod; give reasons, message or"
                        + " eventReasons",
                "- {name: a, message: '(', action: fail} | pendingRules[0] (a).message: '(' is not a regular expression",
                "- {name: a, reasons: {X: 1}, action: fail} | pendingRules[0] (a).reasons: must be a list of texts",
                "- {name: a, reasons: [X], action: fail}\\n- {name: a, reasons: [Y], action: fail}"
                        + "| pendingRules: two pending rules are named 'a'",
                "rules: []                               | rules: unknown field; pending rules are given as pendingRules: [...]",
                "pendingRules: 3                         | pendingRules: must be a list of rules",
                "- [a                                    | pendingRules: not valid YAML",
            })
    void badYamlIsRefusedNamingTheRuleAndField(String yaml, String error) {
        assertThatThrownBy(() -> PendingRules.fromYaml(yaml.replace("\\n", "\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(error);
    }

    @Test
    void theBuilderRefusesARuleThatMatchesEverythingOrHasANegativeGrace() {
        assertThatThrownBy(() -> PendingRule.named("all").action(Action.FAIL).build())
                .hasMessageContaining("pending rule 'all' matches everything");
        assertThatThrownBy(() -> PendingRule.named("neg")
                        .reasons("X")
                        .grace(Duration.ofSeconds(-1))
                        .build())
                .hasMessageContaining("pending rule 'neg': grace must be zero or more");
    }
}
