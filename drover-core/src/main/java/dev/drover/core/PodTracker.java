package dev.drover.core;

import dev.drover.kube.Delta;
import dev.drover.kube.EventView;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The {@link Tracker} on the apiserver: per namespace one pod stream (selector {@code
 * owner=<self>,done!=true}) and one Event stream, started with the namespace's first task. Pod
 * deltas go to the sink in order, on the watch thread, and so does one {@link
 * Message.NamespaceSynced} after the namespace's first list; nothing here ever waits for a list.
 */
final class PodTracker implements Tracker {

    private final KubeApi api;
    private final String owner;
    private final Consumer<Message> sink;
    private final Map<String, Informer<PodView>> pods = new ConcurrentHashMap<>();
    private final Map<String, Informer<EventView>> events = new ConcurrentHashMap<>();
    private final Set<String> synced = ConcurrentHashMap.newKeySet();

    PodTracker(KubeApi api, String owner, Consumer<Message> sink) {
        this.api = api;
        this.owner = owner;
        this.sink = sink;
    }

    @Override
    public void track(String namespace) {
        pods.computeIfAbsent(namespace, ns -> {
            events.computeIfAbsent(
                    ns,
                    n -> Informer.events(api)
                            .namespaces(n)
                            .index("pod", EventView::involvedUid)
                            .build()
                            .start());
            return Informer.pods(api)
                    .namespaces(ns)
                    .labelSelector(PodLabels.trackingSelector(owner))
                    .listener(d -> onDelta(ns, d))
                    .build()
                    .start();
        });
    }

    private void onDelta(String namespace, Delta<PodView> d) {
        switch (d) {
            case Delta.Added<PodView> a -> sink.accept(new Message.PodChanged(a.object(), false));
            case Delta.Modified<PodView> m -> sink.accept(new Message.PodChanged(m.object(), false));
            case Delta.Deleted<PodView> x -> sink.accept(new Message.PodChanged(x.object(), true));
            case Delta.Synced<PodView> s -> {
                if (synced.add(namespace)) {
                    sink.accept(new Message.NamespaceSynced(namespace));
                }
            }
        }
    }

    @Override
    public boolean synced(String namespace) {
        return synced.contains(namespace);
    }

    @Override
    public Optional<PodView> pod(String namespace, String name) {
        Informer<PodView> i = pods.get(namespace);
        return i == null ? Optional.empty() : i.store().get(namespace + "/" + name);
    }

    @Override
    public java.util.Collection<PodView> pods() {
        List<PodView> all = new java.util.ArrayList<>();
        pods.values().forEach(i -> all.addAll(i.store().list()));
        return all;
    }

    @Override
    public List<String> recentEvents(String namespace, String podUid, int max) {
        Informer<EventView> i = events.get(namespace);
        if (i == null || podUid == null) {
            return List.of();
        }
        List<EventView> all =
                i.store().byIndex("pod", podUid).stream().sorted(EVENT_ORDER).toList();
        return all.subList(Math.max(0, all.size() - max), all.size()).stream()
                .map(e -> e.type() + " " + e.reason() + ": " + e.message()
                        + (e.count() > 1 ? " (x" + e.count() + ")" : ""))
                .toList();
    }

    /**
     * Oldest first: by last time (whole seconds in core/v1 Events), then by resourceVersion, which
     * grows with every write, so events of the same second keep the order they were written in.
     */
    static final Comparator<EventView> EVENT_ORDER = Comparator.comparing(
                    (EventView e) -> e.lastTimestamp() == null ? Instant.EPOCH : e.lastTimestamp())
            .thenComparingLong(e -> resourceVersionOf(e));

    private static long resourceVersionOf(EventView e) {
        try {
            return Long.parseLong(e.resourceVersion());
        } catch (NumberFormatException | NullPointerException x) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public List<NamespaceStatus> namespaces() {
        return pods.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> {
                    Informer.Status s = e.getValue().status();
                    boolean listed = synced.contains(e.getKey());
                    // What keeps it from being listed: the watch's last failure while not synced, or its silence.
                    String problem = listed
                            ? null
                            : s.lastError() != null
                                    ? s.lastError().message()
                                    : s.silentSince() != null
                                            ? "the apiserver has not answered since " + s.silentSince()
                                            : null;
                    return new NamespaceStatus(e.getKey(), listed, problem);
                })
                .toList();
    }

    @Override
    public void close() {
        pods.values().forEach(Informer::close);
        events.values().forEach(Informer::close);
    }
}
