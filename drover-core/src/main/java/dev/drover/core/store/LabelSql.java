package dev.drover.core.store;

import dev.drover.kube.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A label selector as SQL conditions on {@code tasks t}, over {@code task_labels}. A requirement a
 * task with the label must meet ({@code a=b}, {@code a in (x,y)}, {@code a}) is an {@code IN} over
 * the (label_key, label_value) index: selective labels find their tasks there. One that a task
 * without the label meets ({@code a!=b}, {@code a notin (x)}, {@code !a}) is a {@code NOT EXISTS}
 * on the primary key (task_id, label_key), checked per task the other conditions found: as in
 * Kubernetes, {@code a!=b} selects tasks that have no label {@code a}.
 */
final class LabelSql {
    /** SQL conditions joined by AND (empty: no condition) and the values they bind by name. */
    record Conditions(List<String> sql, Map<String, Object> binds) {}

    private LabelSql() {}

    static Conditions of(LabelSelector selector) {
        List<String> sql = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        int i = 0;
        for (LabelSelector.Requirement r : selector.requirements()) {
            String key = "lk" + i;
            binds.put(key, r.key());
            String values = "";
            if (!r.values().isEmpty()) {
                List<String> names = new ArrayList<>();
                for (int v = 0; v < r.values().size(); v++) {
                    String name = "lv" + i + "_" + v;
                    binds.put(name, r.values().get(v));
                    names.add(":" + name);
                }
                values = names.size() == 1
                        ? " AND label_value = " + names.getFirst()
                        : " AND label_value IN (" + String.join(", ", names) + ")";
            }
            String labelled = "SELECT task_id FROM task_labels WHERE label_key = :" + key + values;
            String own = "SELECT 1 FROM task_labels WHERE task_id = t.id AND label_key = :" + key + values;
            sql.add(
                    switch (r.op()) {
                        case "=", "in", "exists" -> "t.id IN (" + labelled + ")";
                        case "!=", "notin", "!exists" -> "NOT EXISTS (" + own + ")";
                        default -> throw new IllegalStateException("unknown selector operator " + r.op());
                    });
            i++;
        }
        return new Conditions(List.copyOf(sql), binds);
    }
}
