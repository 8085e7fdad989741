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
                "log-delay",
                "log-bytes",
                "pull-message",
                "never-pull",
                "disrupt",
                "admission-error",
                "scheduling-gate",
                "unschedulable",
                "PreemptionByScheduler",
                "EvictionByEvictionAPI",
                "DeletionByTaintManager",
                "TerminationByKubelet",
                "KiB")) {
            assertThat(BehaviorGrammar.FORMS).contains(key);
        }
    }

    @Test
    void logBytesTakesSizesInPowersOf1000OrOf1024() {
        assertThat(BehaviorGrammar.parseSize("log-bytes", "100B")).isEqualTo(100);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "512KB")).isEqualTo(512_000);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "512KiB")).isEqualTo(524_288);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "50MB")).isEqualTo(50_000_000);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "50MiB")).isEqualTo(52_428_800);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "1GB")).isEqualTo(1_000_000_000);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "1GiB")).isEqualTo(1_073_741_824);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "1.5mb")).isEqualTo(1_500_000);
        assertThat(BehaviorGrammar.parseSize("log-bytes", "0")).isZero();
    }

    @Test
    void logBytesIsPerContainerAndReplacesTheLogLines() {
        Behavior b = parse("log=a|b; log-bytes.big=5MB");

        assertThat(main(b, "big").logBytes()).isEqualTo(5_000_000);
        assertThat(main(b, "small").logBytes()).isEqualTo(Behavior.NO_GENERATED_LOG);
        assertThat(main(b, "small").logLines()).containsExactly("a", "b");
        assertThat(b.namedContainers()).containsExactly("big");
    }

    @Test
    void badSizesNameTheItemAndTheUnits() {
        assertThat(BehaviorGrammar.parse("log-bytes=50").problems())
                .singleElement()
                .asString()
                .contains("'log-bytes=50'")
                .contains("512KiB");
        assertThat(BehaviorGrammar.parse("log-bytes=5TB").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("log-bytes=11GB").problems())
                .singleElement()
                .asString()
                .contains("at most 10GB");
        assertThat(BehaviorGrammar.parse("log-bytes").problems()).hasSize(1);
    }

    @Test
    void pullMessageKeepsItsTextAsWrittenAndNeverPullIsAFlag() {
        Behavior b = parse(
                "pull-throttle=2; pull-message=toomanyrequests: Rate exceeded;"
                        + " pull-fail.b; pull-message.b=received unexpected HTTP status: 503 Service Unavailable; never-pull.c");

        assertThat(main(b, "a").pullMessage()).isEqualTo("toomanyrequests: Rate exceeded");
        assertThat(main(b, "b").pullMessage()).isEqualTo("received unexpected HTTP status: 503 Service Unavailable");
        assertThat(main(b, "c").neverPull()).isTrue();
        assertThat(main(b, "a").neverPull()).isFalse();
        assertThat(b.planFor("init", true, true, List.of()).pullMessage()).isNull();
        assertThat(BehaviorGrammar.parse("pull-message=").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("never-pull=yes").problems()).hasSize(1);
    }

    @Test
    void disruptTakesAReasonADelayOrBoth() {
        assertThat(parse("disrupt").disrupt())
                .contains(new Behavior.Disruption(Behavior.DisruptionReason.PREEMPTION_BY_SCHEDULER, Duration.ZERO));
        assertThat(parse("disrupt=2s").disrupt())
                .contains(new Behavior.Disruption(
                        Behavior.DisruptionReason.PREEMPTION_BY_SCHEDULER, Duration.ofSeconds(2)));
        assertThat(parse("disrupt=@2s").disrupt())
                .contains(new Behavior.Disruption(
                        Behavior.DisruptionReason.PREEMPTION_BY_SCHEDULER, Duration.ofSeconds(2)));
        assertThat(parse("disrupt=EvictionByEvictionAPI").disrupt())
                .contains(new Behavior.Disruption(Behavior.DisruptionReason.EVICTION_BY_EVICTION_API, Duration.ZERO));
        assertThat(parse("disrupt=DeletionByTaintManager@500ms").disrupt())
                .contains(new Behavior.Disruption(
                        Behavior.DisruptionReason.DELETION_BY_TAINT_MANAGER, Duration.ofMillis(500)));
        assertThat(parse("disrupt=terminationbykubelet@1s").disrupt())
                .contains(new Behavior.Disruption(
                        Behavior.DisruptionReason.TERMINATION_BY_KUBELET, Duration.ofSeconds(1)));
        assertThat(parse("").disrupt()).isEmpty();
    }

    @Test
    void badDisruptionsNameTheReasonsAccepted() {
        assertThat(BehaviorGrammar.parse("disrupt=Preempted").problems())
                .singleElement()
                .asString()
                .contains("'disrupt=Preempted'")
                .contains("EvictionByEvictionAPI");
        assertThat(BehaviorGrammar.parse("disrupt=EvictionByEvictionAPI@soon").problems())
                .singleElement()
                .asString()
                .contains("duration");
        assertThat(BehaviorGrammar.parse("disrupt.main").problems())
                .singleElement()
                .asString()
                .contains("whole pod");
    }

    @Test
    void schedulingHoldsLastForADurationOrForever() {
        Behavior b = parse("scheduling-gate=2s; unschedulable; admission-error");

        assertThat(b.schedulingGate()).contains(Duration.ofSeconds(2));
        assertThat(b.unschedulable()).contains(Behavior.FOREVER);
        assertThat(b.admissionError()).isTrue();
        assertThat(parse("").schedulingGate()).isEmpty();
        assertThat(parse("").admissionError()).isFalse();
        assertThat(BehaviorGrammar.parse("unschedulable=later").problems()).hasSize(1);
        assertThat(BehaviorGrammar.parse("admission-error=1").problems()).hasSize(1);
    }
}
