package dev.drover.core;

import dev.drover.kube.PodView;
import dev.drover.kube.PodView.ContainerView;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory stand-in for what the engine's seams reach (launcher, cleanup, direct reads,
 * watches), so the pieces of the scheduler are tested in milliseconds. Not a Kubernetes: pods only
 * change when a test says so. Behaviour of the real apiserver is tested elsewhere, on the test
 * ground.
 */
final class FakeCluster implements Launcher, Cleanup, PodReads {
    final String owner;
    private final Map<String, PodView> pods = new ConcurrentHashMap<>();
    /** What the engine did, in order: {@code create ns/pod}, {@code done ns/pod}, {@code delete ns/pod}, {@code revoke ns/pod}, {@code log ns/pod}, {@code get ns/pod}. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Namespaces whose pods cannot be listed (the watch never syncs there). */
    final Set<String> unlistable = ConcurrentHashMap.newKeySet();
    /** What a launch answers; default: the pod is created, Pending. */
    volatile Function<Task, LaunchResult> onLaunch = this::create;
    /** When set, log reads wait for it. */
    volatile CountDownLatch logGate;

    volatile List<String> logLines = List.of("last words");
    private Watches watches;

    FakeCluster(String owner) {
        this.owner = owner;
    }

    Function<Consumer<Message>, Tracker> trackers() {
        return sink -> watches = new Watches(sink);
    }

    // --- the seams

    @Override
    public LaunchResult launch(Task task) {
        return onLaunch.apply(task);
    }

    LaunchResult create(Task t) {
        String name = TaskIds.podName(t.spec().name(), t.id(), t.tryNumber());
        calls.add("create " + t.spec().namespace() + "/" + name);
        Map<String, String> labels = new HashMap<>();
        labels.put(PodLabels.OWNER, owner);
        labels.put(PodLabels.TASK_ID, t.id());
        labels.put(PodLabels.TRY, Integer.toString(t.tryNumber()));
        PodView pod = new PodView(
                t.spec().namespace(),
                name,
                "uid-" + name,
                "1",
                labels,
                false,
                null,
                "Pending",
                null,
                null,
                List.of(),
                List.of());
        boolean existed = pods.containsKey(key(pod));
        if (!existed) {
            put(pod);
        }
        return new LaunchResult.Created(name, existed);
    }

    @Override
    public void finished(String namespace, String pod, boolean delete, PodView last) {
        finished(namespace, pod, delete);
    }

    void finished(String namespace, String pod, boolean delete) {
        if (delete) {
            delete(namespace, pod);
        } else {
            calls.add("done " + namespace + "/" + pod);
            relabel(namespace, pod, PodLabels.DONE, "true");
        }
    }

    @Override
    public void release(String namespace, String pod) {
        calls.add("release " + namespace + "/" + pod);
    }

    @Override
    public void revoke(String namespace, String pod) {
        calls.add("revoke " + namespace + "/" + pod);
        relabel(namespace, pod, PodLabels.REVOKED, "true");
        delete(namespace, pod);
    }

    void delete(String namespace, String pod) {
        calls.add("delete " + namespace + "/" + pod);
        PodView old = pods.remove(namespace + "/" + pod);
        if (old != null) {
            tell(withDeleting(old), true, matches(old));
        }
    }

    @Override
    public boolean adopt(String namespace, String pod, String resourceVersion, String newOwner) {
        PodView p = pods.get(namespace + "/" + pod);
        if (p == null || !p.resourceVersion().equals(resourceVersion)) {
            return false;
        }
        calls.add("adopt " + namespace + "/" + pod);
        relabel(namespace, pod, PodLabels.OWNER, newOwner);
        return true;
    }

    @Override
    public boolean finishedIfUnchanged(String namespace, String pod, String resourceVersion, boolean delete) {
        PodView p = pods.get(namespace + "/" + pod);
        if (p == null || !p.resourceVersion().equals(resourceVersion)) {
            return false;
        }
        finished(namespace, pod, delete);
        return true;
    }

    @Override
    public List<PodView> list(String namespace, String labelSelector) {
        calls.add("list " + namespace + " " + labelSelector);
        return pods.values().stream()
                .filter(p -> p.namespace().equals(namespace) && matches(p.labels(), labelSelector))
                .toList();
    }

    /** The selector forms the engine uses: {@code k}, {@code k=v}, {@code k!=v}, {@code k notin (a,b)}. */
    static boolean matches(Map<String, String> labels, String selector) {
        for (String req : selector.split(",(?![^(]*\\))")) {
            req = req.strip();
            if (req.contains(" notin ")) {
                String key = req.substring(0, req.indexOf(' '));
                String values = req.substring(req.indexOf('(') + 1, req.indexOf(')'));
                if (labels.containsKey(key) && List.of(values.split(",")).contains(labels.get(key))) {
                    return false;
                }
            } else if (req.contains("!=")) {
                String[] kv = req.split("!=");
                if (kv[1].equals(labels.get(kv[0]))) {
                    return false;
                }
            } else if (req.contains("=")) {
                String[] kv = req.split("=");
                if (!kv[1].equals(labels.get(kv[0]))) {
                    return false;
                }
            } else if (!labels.containsKey(req)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<PodView> lookUp(String namespace, String name) {
        calls.add("get " + namespace + "/" + name);
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    @Override
    public void copyLog(String namespace, String pod, String container, LogSink sink) {
        calls.add("log " + namespace + "/" + pod + " " + container);
        awaitLogGate();
        try {
            sink.accept(new java.io.ByteArrayInputStream(
                    String.join("\n", logLines).concat("\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitLogGate() {
        CountDownLatch gate = logGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public List<String> logTail(String namespace, String pod, String container, int lines) {
        calls.add("log " + namespace + "/" + pod);
        awaitLogGate();
        return logLines;
    }

    // --- what tests make pods do

    Optional<PodView> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    /** The pod started, and the watch has not told yet (it lags behind): only a direct read sees it. */
    void startedUnseen(String namespace, String name) {
        pods.computeIfPresent(
                namespace + "/" + name, (k, p) -> moved(p, "node-1", "Running", null, null, runningMain()));
    }

    /** The direct reads of a pod so far. */
    long gets(String namespace, String name) {
        return calls.stream()
                .filter(c -> c.equals("get " + namespace + "/" + name))
                .count();
    }

    /** The kubelet evicted the pod (node pressure): Failed, reason Evicted, its container killed. */
    void evicted(String namespace, String name) {
        PodView p = pods.get(namespace + "/" + name);
        put(moved(p, "node-1", "Failed", "Evicted", "The node was low on resource: memory.", terminated(137, "Error")));
    }

    /** The pod failed with a DisruptionTarget condition (e.g. preempted by the scheduler). */
    void disrupted(String namespace, String name, String reason, String message) {
        PodView p = pods.get(namespace + "/" + name);
        put(moved(p, "node-1", "Failed", null, null, List.of(terminated(137, "Error")), null, null, reason, message));
    }

    void running(String namespace, String name) {
        phase(namespace, name, "Running", runningMain());
    }

    void succeeded(String namespace, String name) {
        phase(namespace, name, "Succeeded", terminated(0, "Completed"));
    }

    void failed(String namespace, String name, int exitCode) {
        phase(namespace, name, "Failed", terminated(exitCode, "Error"));
    }

    /** The pod's main container waits, e.g. {@code ErrImagePull} with the registry's answer. */
    void waiting(String namespace, String name, String reason, String message) {
        phase(
                namespace,
                name,
                "Pending",
                new ContainerView("main", "waiting", reason, message, null, false, 0, null, null));
    }

    /** The scheduler turned the pod down: PodScheduled=False with its reason and message. */
    void notScheduled(String namespace, String name, String reason, String message) {
        PodView p = pods.get(namespace + "/" + name);
        put(moved(p, null, "Pending", null, null, List.of(), reason, message, null, null));
    }

    void relabel(String namespace, String name, String label, String value) {
        PodView p = pods.get(namespace + "/" + name);
        if (p == null) {
            return;
        }
        Map<String, String> labels = new HashMap<>(p.labels());
        labels.put(label, value);
        put(copy(p, labels, p.deleting()));
    }

    /** A pod that exists in the cluster, whoever made it (e.g. left behind by an earlier scheduler). */
    void put(PodView pod) {
        PodView old = pods.put(key(pod), pod);
        boolean wasIn = old != null && matches(old);
        if (matches(pod)) {
            tell(pod, false, true);
        } else if (wasIn) {
            tell(pod, true, true); // left the selector
        }
    }

    private void phase(String namespace, String name, String phase, ContainerView c) {
        PodView p = pods.get(namespace + "/" + name);
        put(moved(p, "node-1", phase, null, null, c));
    }

    private static ContainerView terminated(int exitCode, String reason) {
        return new ContainerView("main", "terminated", reason, null, exitCode, false, 0, Instant.EPOCH, Instant.EPOCH);
    }

    private static ContainerView runningMain() {
        return new ContainerView("main", "running", null, null, null, true, 0, Instant.EPOCH, null);
    }

    private static PodView withDeleting(PodView p) {
        return copy(p, p.labels(), true);
    }

    // Every version made here has no finalizers: the fake does not model them.

    /** The next version of {@code p} as its kubelet (or the scheduler) reports it: one main container. */
    private static PodView moved(
            PodView p, String nodeName, String phase, String reason, String message, ContainerView main) {
        return moved(p, nodeName, phase, reason, message, List.of(main), null, null, null, null);
    }

    /** The next version of {@code p} with this status and no init containers; identity, labels and deletion kept. */
    private static PodView moved(
            PodView p,
            String nodeName,
            String phase,
            String reason,
            String message,
            List<ContainerView> containers,
            String notScheduledReason,
            String notScheduledMessage,
            String disruptionReason,
            String disruptionMessage) {
        return new PodView(
                p.namespace(),
                p.name(),
                p.uid(),
                next(p),
                p.labels(),
                p.deleting(),
                nodeName,
                phase,
                reason,
                message,
                List.of(),
                containers,
                Set.of(),
                notScheduledReason,
                notScheduledMessage,
                disruptionReason,
                disruptionMessage,
                List.of(),
                false);
    }

    /** The next version of {@code p}, only its labels or deletion changed. */
    private static PodView copy(PodView p, Map<String, String> labels, boolean deleting) {
        return new PodView(
                p.namespace(),
                p.name(),
                p.uid(),
                next(p),
                labels,
                deleting,
                p.nodeName(),
                p.phase(),
                p.reason(),
                p.message(),
                p.initContainers(),
                p.containers(),
                p.sidecars(),
                p.notScheduledReason(),
                p.notScheduledMessage(),
                p.disruptionReason(),
                p.disruptionMessage(),
                List.of(),
                false);
    }

    private static String next(PodView p) {
        return Long.toString(Long.parseLong(p.resourceVersion()) + 1);
    }

    private boolean matches(PodView p) {
        return owner.equals(p.labels().get(PodLabels.OWNER))
                && !"true".equals(p.labels().get(PodLabels.DONE));
    }

    private static String key(PodView p) {
        return p.namespace() + "/" + p.name();
    }

    private void tell(PodView pod, boolean deleted, boolean inSelector) {
        Watches w = watches;
        if (w != null && inSelector) {
            w.tell(pod, deleted);
        }
    }

    /** The engine's tracker: a watch per namespace over the pods above, selector owner=self, done!=true. */
    final class Watches implements Tracker {
        private final Consumer<Message> sink;
        private final Set<String> watched = ConcurrentHashMap.newKeySet();
        private final Set<String> synced = ConcurrentHashMap.newKeySet();
        final Map<String, List<String>> events = new ConcurrentHashMap<>();

        Watches(Consumer<Message> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void track(String namespace) {
            if (watched.add(namespace)) {
                listIfAllowed(namespace);
            }
        }

        /** Lists a namespace that was unlistable before (the permission came). */
        synchronized void listIfAllowed(String namespace) {
            if (!watched.contains(namespace) || unlistable.contains(namespace) || synced.contains(namespace)) {
                return;
            }
            pods.values().stream()
                    .filter(p -> p.namespace().equals(namespace) && matches(p))
                    .forEach(p -> sink.accept(new Message.PodChanged(p, false)));
            synced.add(namespace);
            sink.accept(new Message.NamespaceSynced(namespace));
        }

        synchronized void tell(PodView pod, boolean deleted) {
            if (synced.contains(pod.namespace())) {
                sink.accept(new Message.PodChanged(pod, deleted));
            }
        }

        @Override
        public boolean synced(String namespace) {
            return synced.contains(namespace);
        }

        @Override
        public Optional<PodView> pod(String namespace, String name) {
            PodView p = pods.get(namespace + "/" + name);
            return p != null && synced.contains(namespace) && matches(p) ? Optional.of(p) : Optional.empty();
        }

        @Override
        public java.util.Collection<PodView> pods() {
            return pods.values().stream()
                    .filter(p -> synced.contains(p.namespace()) && matches(p))
                    .toList();
        }

        @Override
        public List<String> recentEvents(String namespace, String podUid, int max) {
            return podUid == null ? List.of() : events.getOrDefault(podUid, List.of());
        }

        @Override
        public List<NamespaceStatus> namespaces() {
            return watched.stream()
                    .sorted()
                    .map(ns -> new NamespaceStatus(
                            ns,
                            synced.contains(ns),
                            unlistable.contains(ns) ? "403 Forbidden: pods is forbidden" : null))
                    .toList();
        }

        @Override
        public void close() {}
    }

    Watches watches() {
        return watches;
    }
}
