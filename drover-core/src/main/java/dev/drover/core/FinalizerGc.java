package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.PodView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code drover gc}: every Drover pod that still carries Drover's finalizer although nobody will
 * record it any more (its task ended, moved on to another try, or is not in the store) has the
 * finalizer dropped. Pods of tasks in flight are left to their scheduler (or its heir). The
 * schedulers do the same for the pods they watch; this is for everything else, on demand.
 */
final class FinalizerGc {
    private FinalizerGc() {}

    static Drover.FinalizerReport run(TaskStore store, PodReads reads, Cleanup cleanup, List<String> namespaces) {
        List<PodView> held = new ArrayList<>();
        for (String ns : namespaces.isEmpty() ? java.util.Collections.<String>singletonList(null) : namespaces) {
            for (PodView p : reads.list(ns, PodLabels.TASK_ID)) {
                if (p.hasFinalizer(PodLabels.FINALIZER)) {
                    held.add(p);
                }
            }
        }
        Map<String, Task> tasks =
                store
                        .getAll(held.stream()
                                .map(p -> p.labels().get(PodLabels.TASK_ID))
                                .distinct()
                                .toList())
                        .stream()
                        .collect(Collectors.toMap(Task::id, Function.identity()));
        List<String> released = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (PodView p : held) {
            String where = p.namespace() + "/" + p.name();
            if (nobodyRecords(p, tasks.get(p.labels().get(PodLabels.TASK_ID)))) {
                cleanup.release(p.namespace(), p.name());
                released.add(where);
            } else {
                kept.add(where);
            }
        }
        return new Drover.FinalizerReport(held.size(), released, kept);
    }

    /** The pod's task ended, is at another try, or is unknown: no scheduler will record this pod. */
    static boolean nobodyRecords(PodView pod, Task t) {
        if (t == null) {
            return true;
        }
        boolean thisTry = Integer.toString(t.tryNumber()).equals(pod.labels().get(PodLabels.TRY));
        return t.state().isTerminal() || !thisTry || t.state() == TaskState.UP_FOR_RETRY;
    }
}
