package dev.drover.core;

import dev.drover.kube.Delta;
import dev.drover.kube.EventView;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod stream per namespace (selector {@code owner=<self>,done!=true}) and one Event stream,
 * started when the first task of a namespace appears. Pod deltas are handed, in order, to one
 * worker thread, so the watch threads never wait on the store; the worker takes whatever has
 * queued up (at most {@value #MAX_BATCH}) in one go, so a backlog costs one store commit, not one
 * per change.
 */
final class PodTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PodTracker.class);
    private static final Object STOP = new Object();
    static final int MAX_BATCH = 64;

    record PodChange(PodView pod, boolean deleted) {}

    private final KubeApi api;
    private final String owner;
    private final Map<String, Informer<PodView>> pods = new ConcurrentHashMap<>();
    private final Map<String, Informer<EventView>> events = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread worker;

    PodTracker(KubeApi api, String owner, Consumer<List<PodChange>> onChanges) {
        this.api = api;
        this.owner = owner;
        // A platform thread: virtual threads are not time-sliced, and pod news must not wait behind
        // the application's CPU-bound ones.
        this.worker = Thread.ofPlatform().daemon().name("drover-pod-tracker").start(() -> {
            List<Object> taken = new ArrayList<>();
            while (true) {
                taken.clear();
                try {
                    taken.add(queue.take());
                } catch (InterruptedException e) {
                    return;
                }
                queue.drainTo(taken, MAX_BATCH - 1);
                List<PodChange> changes = new ArrayList<>(taken.size());
                boolean stop = false;
                for (Object o : taken) {
                    if (o == STOP) {
                        stop = true;
                        break;
                    }
                    changes.add((PodChange) o);
                }
                try {
                    onChanges.accept(changes);
                } catch (RuntimeException e) {
                    log.error("handling {} pod change(s) failed; the tracker goes on", changes.size(), e);
                }
                if (stop) {
                    return;
                }
            }
        });
    }

    /** Starts watching {@code namespace} if not yet, and waits until its pods are listed. */
    void track(String namespace) throws InterruptedException {
        Informer<PodView> informer = pods.computeIfAbsent(namespace, ns -> {
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
                    .listener(this::enqueue)
                    .build()
                    .start();
        });
        if (!informer.awaitSynced(Duration.ofMinutes(2))) {
            log.warn("pods in {} not listed within 2 min; going on, the watch keeps trying", namespace);
        }
    }

    Optional<PodView> pod(String namespace, String name) {
        Informer<PodView> i = pods.get(namespace);
        return i == null ? Optional.empty() : i.store().get(namespace + "/" + name);
    }

    /** Hands a pod's current state to the worker again, as if it had just changed. */
    void replay(PodView pod) {
        queue.add(new PodChange(pod, false));
    }

    /** The pod's last Events, oldest first, as {@code "Warning BackOff: message (x3)"}. */
    List<String> recentEvents(String namespace, String podUid, int max) {
        Informer<EventView> i = events.get(namespace);
        if (i == null || podUid == null) {
            return List.of();
        }
        List<EventView> all = i.store().byIndex("pod", podUid).stream()
                .sorted(Comparator.comparing(
                        e -> e.lastTimestamp() == null ? java.time.Instant.EPOCH : e.lastTimestamp()))
                .toList();
        return all.subList(Math.max(0, all.size() - max), all.size()).stream()
                .map(e -> e.type() + " " + e.reason() + ": " + e.message()
                        + (e.count() > 1 ? " (x" + e.count() + ")" : ""))
                .toList();
    }

    private void enqueue(Delta<PodView> d) {
        switch (d) {
            case Delta.Added<PodView> a -> queue.add(new PodChange(a.object(), false));
            case Delta.Modified<PodView> m -> queue.add(new PodChange(m.object(), false));
            case Delta.Deleted<PodView> x -> queue.add(new PodChange(x.object(), true));
            case Delta.Synced<PodView> s -> {}
        }
    }

    @Override
    public void close() {
        pods.values().forEach(Informer::close);
        events.values().forEach(Informer::close);
        queue.add(STOP);
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
