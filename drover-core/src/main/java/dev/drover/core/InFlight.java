package dev.drover.core;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks this scheduler holds in flight: its used slots. Releasing one nudges the scheduler to
 * fill the slot. A try let go to another owner (its pod relabelled away) is remembered, so that
 * the store's word "still yours" does not make it run again.
 */
final class InFlight {
    private final Map<String, ActiveTask> tasks = new ConcurrentHashMap<>();
    private final Set<String> letGo = ConcurrentHashMap.newKeySet();
    private final Runnable slotFreed;

    InFlight(Runnable slotFreed) {
        this.slotFreed = slotFreed;
    }

    ActiveTask hold(Task t) {
        ActiveTask a = new ActiveTask(t);
        tasks.put(t.id(), a);
        return a;
    }

    /** The task held for {@code id}, or null. */
    ActiveTask get(String id) {
        return tasks.get(id);
    }

    /** The task held for {@code id} at this try, or null (not held, or another try). */
    ActiveTask get(String id, int tryNumber) {
        ActiveTask a = tasks.get(id);
        return a != null && a.tryNumber == tryNumber ? a : null;
    }

    boolean holds(String id) {
        return tasks.containsKey(id);
    }

    /** Frees the slot; false if it was free already (the task ended by another path first). */
    boolean release(ActiveTask a) {
        boolean removed = tasks.remove(a.id, a);
        if (removed) {
            slotFreed.run();
        }
        return removed;
    }

    /** Frees the slot of a try whose pod another owner took, and remembers it. */
    void letGo(ActiveTask a) {
        letGo.add(key(a.id, a.tryNumber));
        release(a);
    }

    boolean wasLetGo(String id, int tryNumber) {
        return letGo.contains(key(id, tryNumber));
    }

    int size() {
        return tasks.size();
    }

    Collection<ActiveTask> all() {
        return tasks.values();
    }

    private static String key(String id, int tryNumber) {
        return id + "/" + tryNumber;
    }
}
