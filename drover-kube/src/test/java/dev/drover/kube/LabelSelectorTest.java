package dev.drover.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

    @Test
    void parsesEqualityAndSetBasedRequirementsIntoTheServersSyntax() {
        LabelSelector s = LabelSelector.parse("a=b, c!=d,e notin (x, y),f,!g,h in (1),i==j");

        assertThat(s.toString()).isEqualTo("a=b,c!=d,e notin (x,y),f,!g,h in (1),i=j");
        assertThat(s.requirements()).hasSize(7);
    }

    @Test
    void matchesLabelsLikeTheApiServer() {
        LabelSelector s = LabelSelector.parse("owner=me,done!=true,tier notin (db),app");

        assertThat(s.matches(Map.of("owner", "me", "app", "x"))).isTrue();
        assertThat(s.matches(Map.of("owner", "me", "app", "x", "done", "true"))).isFalse();
        assertThat(s.matches(Map.of("owner", "me", "app", "x", "tier", "db"))).isFalse();
        assertThat(s.matches(Map.of("owner", "me"))).isFalse();
        assertThat(LabelSelector.parse("!gone").matches(Map.of("gone", ""))).isFalse();
    }

    @Test
    void emptyOrNullSelectsEverything() {
        assertThat(LabelSelector.parse(null).toString()).isEmpty();
        assertThat(LabelSelector.parse("  ").matches(Map.of("a", "b"))).isTrue();
    }

    @Test
    void acceptsPrefixedKeys() {
        assertThat(LabelSelector.parse("drover.dev/task-id=t-1").toString()).isEqualTo("drover.dev/task-id=t-1");
    }

    @Test
    void rejectsAnUnclosedSetNamingTheFix() {
        assertThatThrownBy(() -> LabelSelector.parse("env in (a,b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labelSelector")
                .hasMessageContaining("unclosed '('");
    }

    @Test
    void rejectsBadKeysAndValues() {
        assertThatThrownBy(() -> LabelSelector.parse("-bad=x")).hasMessageContaining("label key '-bad'");
        assertThatThrownBy(() -> LabelSelector.parse("a=b c")).hasMessageContaining("label value 'b c'");
        assertThatThrownBy(() -> LabelSelector.parse("a=b,,c")).hasMessageContaining("empty requirement");
        assertThatThrownBy(() -> LabelSelector.parse("a between (1,2)")).hasMessageContaining("is not a requirement");
    }
}
