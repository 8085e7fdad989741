package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A scheduler id is written as a label value on every pod: it must be one. */
class SchedulerIdTest {
    @Test
    void aLongHostNameGivesAValidDefaultEvenWhenTheCutFallsOnADash() {
        String host = "ip-10-0-0-1.eu-west-1.compute.internal.a-very-long-clustername-tail-part";
        assertThat(host.charAt(62)).isEqualTo('-'); // a plain cut to 63 characters ends the id on a '-'

        String id = SchedulerIds.fromHost(host);

        assertThat(id).hasSizeLessThanOrEqualTo(63).doesNotEndWith("-").doesNotEndWith(".");
        assertThat(Drover.checkSchedulerId(id)).isEqualTo(id);
    }

    @Test
    void hostNamesOfOtherShapesBecomeValidIds() {
        assertThat(SchedulerIds.fromHost("Build_Host.Example.COM")).isEqualTo("build-host.example.com");
        assertThat(SchedulerIds.fromHost("--.--")).isEqualTo("drover");
        assertThat(SchedulerIds.fromHost("")).isEqualTo("drover");
    }

    @Test
    void anInvalidIdIsRefusedNamingSchedulerId() {
        assertThatThrownBy(() -> Drover.checkSchedulerId("Bad_ID"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("schedulerId 'Bad_ID' must be a valid label value");
        assertThatThrownBy(() -> Drover.checkSchedulerId("a".repeat(64))).hasMessageContaining("at most 63");
        assertThatThrownBy(() -> Drover.checkSchedulerId("ends-"))
                .hasMessageContaining("ending with a letter or digit");
    }
}
