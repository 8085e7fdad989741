package dev.drover.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskIdsTest {

    @Test
    void aBatchOfIdsNeverHoldsOneTwiceEvenWhenTheDrawRepeats() {
        // ids of one millisecond differ in 25 random bits: a repeat within a batch happens
        Iterator<String> draws = List.of("a", "b", "a", "b", "c").iterator();

        assertThat(TaskIds.distinct(3, draws::next)).containsExactly("a", "b", "c");
    }

    @Test
    void idsAreFourteenCharactersValidInPodNames() {
        assertThat(TaskIds.distinct(1000, TaskIds::next)).hasSize(1000).allMatch(id -> id.matches("[0-9a-z]{14}"));
    }
}
