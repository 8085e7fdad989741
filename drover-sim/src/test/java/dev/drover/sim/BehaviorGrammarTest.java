package dev.drover.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BehaviorGrammarTest {

    private static Behavior parse(String annotation) {
        BehaviorGrammar.Parsed p = BehaviorGrammar.parse(annotation);
        assertThat(p.problems()).isEmpty();
        return p.behavior();
    }

    private static Behavior.ContainerPlan main(Behavior b, String name) {
        return b.planFor(name, false, false, List.of("default line"));
    }

    @Test
    void noAnnotationMeansRunOneSecondExitZeroAndLogTheCommand() {
        Behavior b = parse(null);

        Behavior.ContainerPlan plan = main(b, "main");
        assertThat(plan.run()).isEqualTo(Duration.ofSeconds(1));
        assertThat(plan.exitCode()).isZero();
        assertThat(plan.terminatedReason()).isEqualTo("Completed");
        assertThat(plan.logLines()).containsExactly("default line");
        assertThat(b.bindDelay()).isZero();
    }

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndBareZero() {
        assertThat(BehaviorGrammar.parseDuration("run", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(BehaviorGrammar.parseDuration("run", "2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(BehaviorGrammar.parseDuration("run", "1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(BehaviorGrammar.parseDuration("run", "0")).isZero();
    }

    @Test
    void itemsAreSemicolonSeparatedAndSpacesAroundThemDoNotMatter() {
        Behavior b = parse(" run=2s ;exit=1;  log=hello|world ; ");

        assertThat(main(b, "main").run()).isEqualTo(Duration.ofSeconds(2));
        assertThat(main(b, "main").exitCode()).isEqualTo(1);
        assertThat(main(b, "main").terminatedReason()).isEqualTo("Error");
        assertThat(main(b, "main").logLines()).containsExactly("hello", "world");
    }

    @Test
    void aContainerSuffixOverridesThePodWideValueForThatContainerOnly() {
        Behavior b = parse("exit=1; exit.sidecar=0; log.sidecar=side");

        assertThat(main(b, "main").exitCode()).isEqualTo(1);
        assertThat(main(b, "sidecar").exitCode()).isZero();
        assertThat(main(b, "main").logLines()).containsExactly("default line");
        assertThat(main(b, "sidecar").logLines()).containsExactly("side");
        assertThat(b.namedContainers()).containsExactly("sidecar");
    }

    @Test
    void unsuffixedKeysOtherThanRunLeaveInitContainersAlone() {
        Behavior b = parse("run=3s; exit=2; oom; pull-fail");

        Behavior.ContainerPlan init = b.planFor("setup", true, true, List.of());
        assertThat(init.run()).isEqualTo(Duration.ofSeconds(3));
        assertThat(init.exitCode()).isZero();
        assertThat(init.oomKilled()).isFalse();
        assertThat(init.pullFailsForever()).isFalse();
    }

    @Test
    void initFailSetsTheExitCodeOfTheFirstInitContainer() {
        Behavior b = parse("init-fail=3");

        assertThat(b.planFor("first", true, true, List.of()).exitCode()).isEqualTo(3);
        assertThat(b.planFor("second", true, false, List.of()).exitCode()).isZero();
        assertThat(main(b, "main").exitCode()).isZero();
    }

    @Test
    void oomMeansExitCode137WithReasonOOMKilled() {
        Behavior b = parse("oom.worker");

        assertThat(main(b, "worker").exitCode()).isEqualTo(137);
        assertThat(main(b, "worker").terminatedReason()).isEqualTo("OOMKilled");
        assertThat(main(b, "other").terminatedReason()).isEqualTo("Completed");
    }

    @Test
    void pullAndCreateFailuresAreFlagsOrCounts() {
        Behavior b = parse("pull-throttle=2; pull-backoff=200ms; config-error.b; invalid-image.c; pull-fail.d");

        assertThat(main(b, "a").pullFailures()).isEqualTo(2);
        assertThat(b.pullBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(main(b, "b").configError()).isTrue();
        assertThat(main(b, "c").invalidImage()).isTrue();
        assertThat(main(b, "d").pullFailsForever()).isTrue();
    }

    @Test
    void podWideKeysTakeOptionalDurations() {
        Behavior b = parse("evict; bind-delay=3s; lose-node=500ms; log-delay=2s");

        assertThat(b.logDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.evict()).contains(Duration.ZERO);
        assertThat(b.bindDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(b.loseNode()).contains(Duration.ofMillis(500));
        assertThat(parse("evict=2s").evict()).contains(Duration.ofSeconds(2));
    }

    @Test
    void providerFailedKeepsThePodPendingUnlessToldFailed() {
        assertThat(parse("provider-failed").providerFailure()).isEqualTo(Behavior.ProviderFailure.PENDING);
        assertThat(parse("provider-failed=failed").providerFailure()).isEqualTo(Behavior.ProviderFailure.FAILED);
        assertThat(parse("").providerFailure()).isEqualTo(Behavior.ProviderFailure.NONE);
    }

    @Test
    void logLinesMayContainEqualsSignsAndEmptyLines() {
        assertThat(main(parse("log=a=b||c"), "main").logLines()).containsExactly("a=b", "", "c");
    }

    @Test
    void anUnknownKeyYieldsTheDefaultBehaviourAndNamesTheKey() {
        BehaviorGrammar.Parsed p = BehaviorGrammar.parse("run=2s; explode=yes");

        assertThat(p.ok()).isFalse();
        assertThat(p.behavior()).isEqualTo(Behavior.DEFAULT);
        assertThat(p.problems()).singleElement().asString().contains("explode");
    }

    @Test
    void badValuesAreReportedWithTheFormExpected() {
        assertThat(BehaviorGrammar.parse("run=fast").problems())
                .singleElement()
                .asString()
                .contains("'run=fast'")
                .contains("duration");
        assertThat(BehaviorGrammar.parse("run=5").problems()).hasSize(1); // a unit is required
        assertThat(BehaviorGrammar.parse("exit=256").problems())
                .singleElement()
                .asString()
                .contains("0-255");
        assertThat(BehaviorGrammar.parse("init-fail=0").problems())
                .singleElement()
                .asString()
                .contains("1-255");
        assertThat(BehaviorGrammar.parse("oom=yes").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("pull-throttle=-1").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("pull-backoff=0").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("provider-failed=maybe").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("log").problems()).hasSize(1);
    }

    @Test
    void podWideKeysRefuseAContainerName() {
        assertThat(BehaviorGrammar.parse("bind-delay.main=1s").problems())
                .singleElement()
                .asString()
                .contains("whole pod");
        assertThat(BehaviorGrammar.parse("exit.Not_A_Name=1").problems())
                .singleElement()
                .asString()
                .contains("not a container name");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        assertThat(BehaviorGrammar.parse("run=x; exit=y; nope").problems()).hasSize(3);
    }

    @Test
    void theAcceptedFormsListEveryKey() {
        for (String key : List.of(
                "run",
                "exit",
                "log",
                "oom",
                "pull-throttle",
                "pull-fail",
                "pull-backoff",
                "config-error",
                "invalid-image",
                "init-fail",
                "evict",
                "provider-failed",
                "bind-delay",
                "lose-node",
                "log-delay")) {
            assertThat(BehaviorGrammar.FORMS).contains(key);
        }
    }
}
