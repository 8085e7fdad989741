package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which pods a replica looks at when it settles the pods of replicas that are not alive. */
class PodAdoptionSelectorTest {
    @Test
    void liveSiblingsAndSelfAreLeftOutWithSetBasedSyntax() {
        assertThat(PodAdoption.selector("r1", Optional.of(Set.of("r3", "r2"))))
                .isEqualTo("drover.dev/owner,drover.dev/owner notin (r1,r2,r3),drover.dev/done!=true");
    }

    @Test
    void withNoSiblingAliveOnlySelfIsLeftOut() {
        assertThat(PodAdoption.selector("r1", Optional.of(Set.of())))
                .isEqualTo("drover.dev/owner,drover.dev/owner!=r1,drover.dev/done!=true");
    }

    @Test
    void whenTheStoreCannotSayWhoIsAliveOnlySelfIsLeftOut() {
        assertThat(PodAdoption.selector("r1", Optional.empty()))
                .isEqualTo("drover.dev/owner,drover.dev/owner!=r1,drover.dev/done!=true");
    }
}
