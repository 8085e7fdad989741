package dev.drover.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one informer told its listener, kept to judge it: the picture its deltas add up to,
 * duplicates (a resourceVersion delivered twice for the same object) and regressions (an older
 * resourceVersion delivered after a newer one for the same object).
 */
final class DeltaLedger {
    private final Map<String, String> view = new HashMap<>(); // name -> resourceVersion
    private final Map<String, Set<String>> delivered = new HashMap<>(); // uid -> resourceVersions
    private final Map<String, Long> newest = new HashMap<>(); // uid -> highest resourceVersion
    private long adds;
    private long updates;
    private long deletes;
    private long duplicates;
    private long regressions;

    synchronized void added(String name, String uid, String rv) {
        adds++;
        seen(uid, rv);
        view.put(name, rv);
    }

    synchronized void updated(String name, String uid, String rv) {
        updates++;
        seen(uid, rv);
        view.put(name, rv);
    }

    synchronized void deleted(String name) {
        deletes++;
        view.remove(name);
    }

    private void seen(String uid, String rv) {
        if (!delivered.computeIfAbsent(uid, k -> new HashSet<>()).add(rv)) {
            duplicates++;
        }
        try {
            long v = Long.parseLong(rv);
            Long max = newest.get(uid);
            if (max != null && v < max) {
                regressions++;
            } else {
                newest.put(uid, v);
            }
        } catch (NumberFormatException opaque) {
            // resourceVersions are opaque to clients; etcd's happen to be numbers
        }
    }

    synchronized Map<String, String> view() {
        return Map.copyOf(view);
    }

    synchronized long deltas() {
        return adds + updates + deletes;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long regressions() {
        return regressions;
    }

    /** Objects whose state differs between {@code server} and {@code client} (name -> resourceVersion). */
    static int differences(Map<String, String> server, Map<String, String> client) {
        int diff = 0;
        for (Map.Entry<String, String> e : server.entrySet()) {
            if (!e.getValue().equals(client.get(e.getKey()))) {
                diff++;
            }
        }
        for (String k : client.keySet()) {
            if (!server.containsKey(k)) {
                diff++;
            }
        }
        return diff;
    }
}
