package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.kube.LabelSelector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSqlTest {
    private static LabelSql.Conditions sql(String selector) {
        return LabelSql.of(LabelSelector.parse(selector));
    }

    @Test
    void requirementsATaskWithTheLabelMeetsSeekTheLabelIndex() {
        LabelSql.Conditions c = sql("team=etl, env in (dev,prod), canary");

        assertThat(c.sql())
                .containsExactly(
                        "t.id IN (SELECT task_id FROM task_labels WHERE label_key = :lk0 AND label_value = :lv0_0)",
                        "t.id IN (SELECT task_id FROM task_labels WHERE label_key = :lk1 AND label_value IN (:lv1_0,"
                                + " :lv1_1))",
                        "t.id IN (SELECT task_id FROM task_labels WHERE label_key = :lk2)");
        assertThat(c.binds()).containsExactlyEntriesOf(new java.util.LinkedHashMap<>(Map.of()) {
            {
                put("lk0", "team");
                put("lv0_0", "etl");
                put("lk1", "env");
                put("lv1_0", "dev");
                put("lv1_1", "prod");
                put("lk2", "canary");
            }
        });
    }

    @Test
    void requirementsATaskWithoutTheLabelMeetsAreNotExistsOnTheTasksOwnLabels() {
        LabelSql.Conditions c = sql("team!=etl,env notin (dev),!canary");

        assertThat(c.sql())
                .containsExactly(
                        "NOT EXISTS (SELECT 1 FROM task_labels WHERE task_id = t.id AND label_key = :lk0 AND"
                                + " label_value = :lv0_0)",
                        "NOT EXISTS (SELECT 1 FROM task_labels WHERE task_id = t.id AND label_key = :lk1 AND"
                                + " label_value = :lv1_0)",
                        "NOT EXISTS (SELECT 1 FROM task_labels WHERE task_id = t.id AND label_key = :lk2)");
    }

    @Test
    void valuesAreBoundNeverWrittenIntoTheSql() {
        LabelSql.Conditions c = sql("a=x");

        assertThat(String.join(" ", c.sql())).doesNotContain("'x'").doesNotContain(" x");
        assertThat(c.binds()).containsEntry("lv0_0", "x");
    }

    @Test
    void anEmptySelectorHasNoConditions() {
        assertThat(sql("").sql()).isEmpty();
        assertThat(sql(null).binds()).isEmpty();
    }
}
