package dev.drover.core;

import dev.drover.core.store.IdempotencyConflictException;
import dev.drover.core.store.IdempotencyKey;
import dev.drover.core.store.Submission;
import dev.drover.core.store.TaskStore;
import dev.drover.kube.KubeApi;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drover's Java API: tasks in, pods out, results back.
 *
 * <pre>{@code
 * try (Drover drover = Drover.builder(apiConfig, store).schedulerId("etl-1").parallelism(50).build().start()) {
 *     TaskHandle h = drover.submit(TaskSpec.builder("hello").image("busybox").command("echo", "hi").build());
 *     Task done = h.result().get();
 * }
 * }</pre>
 */
public final class Drover implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Drover.class);
    /**
     * The waiting reasons the older {@link Builder#fatalWaitingReasons} setting fails at once by
     * default. The defaults now are {@link PendingRule#defaults()}.
     */
    public static final Set<String> DEFAULT_FATAL_WAITING_REASONS = PodClassifier.DEFAULT_FATAL_REASONS;

    private final TaskStore store;
    private final KubeApi api;
    private final TaskEngine engine;
    private final String owner;
    private final String cluster;
    private final Clock clock;
    private final Handles handles;
    private final Duration aliveThreshold;
    private final NamespaceCheck namespaces;
    private final TaskLogs logs;
    private final Set<String> allowedNamespaces;
    private final EngineMetrics metrics;
    /** Held here: Micrometer keeps only a weak reference to a gauge's object. */
    private final StoreGauges storeGauges;

    private boolean closed;

    private Drover(Builder b) {
        MeterRegistry meters = b.meterRegistry;
        // Without a registry nothing is wrapped or registered: a library user pays nothing.
        this.store = meters == null ? b.store : StoreMetrics.timed(b.store, meters);
        this.owner = b.schedulerId;
        this.cluster = b.cluster != null ? b.cluster : clusterName(b.config);
        this.clock = b.clock;
        this.aliveThreshold = b.aliveThreshold;
        this.metrics = meters == null ? EngineMetrics.none() : new EngineMetrics(meters, clock);
        this.storeGauges = meters == null
                ? null
                : new StoreGauges(store, meters, b.aliveThreshold, STORE_GAUGES_MAX_AGE, System::nanoTime);
        double apiQps = Double.isNaN(b.apiQps) ? Math.max(50, 2.5 * b.launchQps) : b.apiQps;
        KubeApi.Builder apiBuilder = KubeApi.builder(b.config)
                .qps(apiQps)
                .burst((int) Math.max(1, apiQps * 2))
                .verbRate("create", b.launchQps, Math.max(1, (int) b.launchQps));
        if (meters != null) {
            apiBuilder.meterRegistry(meters);
        }
        this.api = apiBuilder.build();
        this.engine = new TaskEngine(
                store,
                new TaskEngine.Parts(
                        new PodLauncher(
                                api, owner, b.quotaRetry, b.podFinalizer), // its creates take KubeApi's "create" tokens
                        new PodCleanup(api),
                        new PodReader(api),
                        sink -> new PodTracker(api, owner, sink),
                        b.archiveLogs
                                ? new PodLogArchiver(
                                        new PodReader(api),
                                        b.logArchive != null ? b.logArchive : store.logs(),
                                        b.logCapBytes)
                                : null),
                new TaskEngine.Settings(
                        owner,
                        cluster,
                        b.parallelism,
                        b.launchConcurrency,
                        b.tick,
                        b.pendingRules,
                        b.failureLogLines,
                        b.reconcileInterval,
                        b.namespaceWait,
                        SchedulerIds.hostName(),
                        VERSION,
                        b.heartbeatInterval,
                        b.aliveThreshold),
                clock,
                this::changed,
                b.ownSubmissionsOnly ? this::openSubmissions : null,
                metrics);
        this.handles = new Handles(store, b.handlePoll, engine::holds);
        this.namespaces = new NamespaceCheck(api, cluster);
        this.allowedNamespaces = b.namespaces;
        this.logs = new TaskLogs(store, b.logArchive != null ? b.logArchive : store.logs(), () -> api);
    }

    /**
     * Task logs as {@code drover logs} gives them: archived once a try ended (where this Drover
     * archives them), else from the pod.
     */
    public TaskLogs logs() {
        return logs;
    }

    /**
     * The Kubernetes Events of a try's pod (the latest try when {@code tryNumber} is null), oldest
     * first, as the apiserver's watch cache has them (a list at resourceVersion 0: no quorum read).
     * Empty for an unknown task or a try whose pod was never made; the apiserver keeps Events
     * about an hour. Throws {@link dev.drover.kube.ApiException} when it cannot be asked.
     */
    public List<dev.drover.kube.EventView> events(String taskId, @org.jspecify.annotations.Nullable Integer tryNumber) {
        Optional<Task> t = store.get(taskId);
        if (t.isEmpty()) {
            return List.of();
        }
        int n = tryNumber == null ? t.get().tryNumber() : tryNumber;
        String pod = TaskIds.podName(t.get().spec().name(), taskId, n);
        List<dev.drover.kube.EventView> events = new ArrayList<>(api.get(
                "list",
                dev.drover.kube.ResourceType.EVENTS.path(t.get().spec().namespace()),
                java.util.Map.of(
                        "fieldSelector", "involvedObject.kind=Pod,involvedObject.name=" + pod, "resourceVersion", "0"),
                dev.drover.kube.EventView::listOf));
        events.sort(java.util.Comparator.comparing(
                e -> e.lastTimestamp() != null ? e.lastTimestamp() : java.time.Instant.EPOCH));
        return events;
    }

    /**
     * Drops Drover's finalizer from every pod (in {@code namespaces}, or in all namespaces when
     * empty) whose task ended, is at another try, or is not in the store: what {@code drover gc}
     * does. Pods of tasks in flight are left alone. Throws {@link dev.drover.kube.ApiException}
     * when the pods cannot be listed (e.g. no permission to list in all namespaces).
     */
    public FinalizerReport releaseFinalizers(List<String> namespaces) {
        return FinalizerGc.run(store, new PodReader(api), new PodCleanup(api), namespaces);
    }

    /**
     * What {@link #releaseFinalizers} found: {@code held} pods carried the finalizer; those {@code
     * released} had it dropped, those {@code kept} belong to tasks in flight ({@code namespace/name}).
     */
    public record FinalizerReport(int held, List<String> released, List<String> kept) {}

    /** How old the store's gauges (tasks by state, replicas) may be before a read of one asks the store again. */
    static final Duration STORE_GAUGES_MAX_AGE = Duration.ofSeconds(5);

    /** The default of {@link Builder#logCapBytes}: 10 MiB per container. */
    public static final long DEFAULT_LOG_CAP_BYTES = 10L << 20;

    /** This Drover's version, as replicas record it. */
    public static final String VERSION = java.util.Optional.ofNullable(
                    Drover.class.getPackage().getImplementationVersion())
            .orElse("0.1.0-SNAPSHOT");

    public static Builder builder(Config config, TaskStore store) {
        return new Builder(config, store);
    }

    /**
     * The name a task records for the cluster it runs on, and by which a worker knows its own
     * tasks: the kubeconfig context's cluster name, else the apiserver's host and port (in a pod).
     */
    public static String clusterName(Config config) {
        NamedContext context = config.getCurrentContext();
        if (context != null
                && context.getContext() != null
                && context.getContext().getCluster() != null) {
            return context.getContext().getCluster();
        }
        URI server = URI.create(config.getMasterUrl());
        return server.getPort() < 0 ? server.getHost() : server.getHost() + ":" + server.getPort();
    }

    /** Starts scheduling; tasks in flight for this scheduler from before resume as their namespaces are listed. */
    public Drover start() {
        engine.start();
        return this;
    }

    /**
     * Checks and queues a task. Throws {@code InvalidTaskException} naming the bad field; nothing
     * is stored then.
     */
    public TaskHandle submit(TaskSpec spec) {
        return submitAll(List.of(spec)).getFirst();
    }

    /**
     * Checks and queues many tasks in one store transaction: all or none. Throws {@code
     * InvalidTaskException} naming the first bad task ({@code tasks[i].field}); nothing is stored then.
     */
    public List<TaskHandle> submitAll(List<TaskSpec> specs) {
        check(specs);
        LinkedHashMap<String, TaskSpec> byId = new LinkedHashMap<>();
        List<TaskHandle> out = newHandles(specs, byId);
        List<Task> stored;
        try {
            stored = store.insertAll(byId, cluster, clock.instant());
        } catch (RuntimeException e) {
            byId.keySet().forEach(handles::forget);
            throw e;
        }
        metrics.submitted(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            out.get(i).changed(stored.get(i));
        }
        engine.nudge();
        return out;
    }

    /**
     * {@link #submitAll(List)} once per idempotency key: a submit again with the same principal,
     * key and request hash (a client's retry, to this Drover or another on the same store) stores
     * nothing and returns the first submit's tasks ({@link Submission#replayed()}); the same key
     * with another request hash throws {@link IdempotencyConflictException}. The tasks are checked
     * first either way ({@code InvalidTaskException}). Handles ({@link #handle}) exist for the tasks
     * this call stored.
     */
    public Submission submitAll(List<TaskSpec> specs, IdempotencyKey key) {
        Objects.requireNonNull(key, "key");
        check(specs);
        LinkedHashMap<String, TaskSpec> byId = new LinkedHashMap<>();
        List<TaskHandle> out = newHandles(specs, byId);
        Submission submission;
        try {
            submission = store.insertAll(byId, cluster, clock.instant(), key);
        } catch (RuntimeException e) {
            byId.keySet().forEach(handles::forget);
            throw e;
        }
        if (submission.replayed()) {
            byId.keySet().forEach(handles::forget); // never stored
            return submission;
        }
        metrics.submitted(submission.tasks().size());
        for (int i = 0; i < submission.tasks().size(); i++) {
            out.get(i).changed(submission.tasks().get(i));
        }
        engine.nudge();
        return submission;
    }

    /** Checks every task (and its namespace), naming a bad one {@code tasks[i].field} when there are several. */
    private void check(List<TaskSpec> specs) {
        for (int i = 0; i < specs.size(); i++) {
            try {
                specs.get(i).validate();
                String ns = specs.get(i).namespace();
                if (!allowedNamespaces.isEmpty() && !allowedNamespaces.contains(ns)) {
                    throw new InvalidTaskException(
                            "namespace",
                            "'" + ns + "' is not a namespace this Drover runs tasks in ("
                                    + String.join(", ", new java.util.TreeSet<>(allowedNamespaces)) + ")");
                }
                namespaces.check(ns);
            } catch (InvalidTaskException e) {
                if (specs.size() == 1) {
                    throw e;
                }
                throw new InvalidTaskException(
                        "tasks[" + i + "]." + e.field(),
                        e.getMessage().substring(e.field().length() + 2));
            }
        }
    }

    /** New ids for {@code specs} into {@code byId}, and their handles (before the insert: the scheduler may claim at once). */
    private List<TaskHandle> newHandles(List<TaskSpec> specs, LinkedHashMap<String, TaskSpec> byId) {
        List<TaskHandle> out = new ArrayList<>(specs.size());
        List<String> ids = TaskIds.distinct(specs.size(), TaskIds::next);
        for (int i = 0; i < specs.size(); i++) {
            byId.put(ids.get(i), specs.get(i));
            out.add(handles.add(ids.get(i)));
        }
        return out;
    }

    /** Asks for a cancel; the task's scheduler revokes and deletes the pod. False if unknown or already ended. */
    public boolean cancel(String id) {
        boolean asked = store.requestCancel(id, clock.instant());
        engine.nudge();
        return asked;
    }

    public Optional<Task> get(String id) {
        return store.get(id);
    }

    public List<Task> list(Set<TaskState> states, int limit) {
        return store.list(states, limit);
    }

    public Optional<TaskHandle> handle(String id) {
        return handles.get(id);
    }

    /** Tasks this scheduler holds in flight (its used slots). */
    public int inFlight() {
        return engine.inFlight();
    }

    /**
     * Every replica (scheduler process) the store knows, with its heartbeat age and whether it is
     * alive by this Drover's alive threshold.
     */
    public List<Replica> replicas() {
        return store.replicas(aliveThreshold);
    }

    /** The namespaces this scheduler watches; one that is not listed holds back only its own tasks. */
    public List<NamespaceStatus> namespaces() {
        return engine.namespaces();
    }

    public String schedulerId() {
        return owner;
    }

    /** The cluster this Drover's tasks run on; see {@link #clusterName}. */
    public String cluster() {
        return cluster;
    }

    private java.util.Collection<String> openSubmissions() {
        return handles.open();
    }

    private void changed(Task t) {
        handles.changed(t);
    }

    /** Stops scheduling, lets started cleanups finish, releases the client. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        handles.close();
        engine.close();
        api.close();
    }

    /** Defaults: parallelism 100, 50 launches/s, 16 creates in flight, ticks every 200 ms. */
    public static final class Builder {
        private final Config config;
        private final TaskStore store;
        private String schedulerId = SchedulerIds.generated(SchedulerIds.hostName());
        private Duration heartbeatInterval = Duration.ofSeconds(5);
        private Duration aliveThreshold = Duration.ofSeconds(30);
        private String cluster;
        private int parallelism = 100;
        private double launchQps = 50;
        private int launchConcurrency = 16;
        private double apiQps = Double.NaN;
        private Duration tick = Duration.ofMillis(200);
        private PendingRules pendingRules = PendingRules.defaults();
        private int failureLogLines = 20;
        private boolean podFinalizer = true;
        private boolean archiveLogs = true;
        private dev.drover.core.store.LogArchive logArchive;
        private Set<String> namespaces = Set.of();
        private long logCapBytes = DEFAULT_LOG_CAP_BYTES;
        private Duration quotaRetry = Duration.ofSeconds(30);
        private Duration reconcileInterval = Duration.ofSeconds(30);
        private Duration namespaceWait = Duration.ofSeconds(10);
        private boolean ownSubmissionsOnly;
        private Duration handlePoll = Duration.ofMillis(500);
        private Clock clock = Clock.systemUTC();
        private MeterRegistry meterRegistry;

        private Builder(Config config, TaskStore store) {
            this.config = Objects.requireNonNull(config, "config");
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * This scheduler's identity, written on its pods (label {@code drover.dev/owner}) and in the
         * store's replicas; a restart with the same id picks up its tasks at once (otherwise a live
         * replica takes them over). Refused at start while a replica with this id is alive. Default:
         * {@code <host>-<random>}, new for each process.
         */
        public Builder schedulerId(String id) {
            this.schedulerId = checkSchedulerId(id);
            return this;
        }

        /**
         * The cluster name recorded with submitted tasks; this scheduler claims only tasks of its
         * cluster (and tasks stored before clusters were recorded). Default: {@link #clusterName}.
         */
        public Builder cluster(String name) {
            if (name == null || name.isBlank() || name.length() > 253) {
                throw new IllegalArgumentException("cluster must be 1 to 253 characters (got '" + name + "')");
            }
            this.cluster = name;
            return this;
        }

        /**
         * Replicas on one store: each heartbeats every {@code interval} (default 5 s) and is alive
         * while its last heartbeat, by the store's clock, is younger than {@code aliveThreshold}
         * (default 30 s). A replica not alive has its tasks taken over and its pods adopted by a live
         * one; one that could not heartbeat for half the threshold claims and creates nothing.
         */
        public Builder heartbeat(Duration interval, Duration aliveThreshold) {
            positive("heartbeat interval", interval);
            positive("aliveThreshold", aliveThreshold);
            if (interval.multipliedBy(3).compareTo(aliveThreshold) > 0) {
                throw new IllegalArgumentException(
                        "aliveThreshold (" + aliveThreshold + ") must be at least three heartbeat" + " intervals ("
                                + interval + "), so one late heartbeat does not make a replica dead");
            }
            this.heartbeatInterval = interval;
            this.aliveThreshold = aliveThreshold;
            return this;
        }

        /** How many tasks may be in flight (launching, pending, running) at once. */
        public Builder parallelism(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1 (got " + n + ")");
            }
            this.parallelism = n;
            return this;
        }

        /**
         * Runs tasks only in these namespaces (e.g. those its Role grants): a submit to another is
         * refused naming the namespace. Default: any.
         */
        public Builder namespaces(Set<String> names) {
            this.namespaces = Set.copyOf(names);
            return this;
        }

        /** Pod creations per second at most, and how many may be in flight. */
        public Builder launchRate(double qps, int concurrency) {
            if (qps <= 0 || concurrency < 1) {
                throw new IllegalArgumentException("launchRate needs qps > 0 and concurrency >= 1");
            }
            this.launchQps = qps;
            this.launchConcurrency = concurrency;
            return this;
        }

        /**
         * Client-side rate limit of all this scheduler's requests (creates, deletes, patches, lists,
         * watches), burst twice that. Default: 2.5 × the launch rate, at least 50, since a launch is
         * followed by a delete or a patch.
         */
        public Builder apiQps(double qps) {
            if (!(qps > 0)) {
                throw new IllegalArgumentException("apiQps must be > 0 (got " + qps + ")");
            }
            this.apiQps = qps;
            return this;
        }

        /** How often the loop sweeps for cancels and timeouts (default 200 ms); claims follow every submit at once. */
        public Builder tick(Duration tick) {
            this.tick = positive("tick", tick);
            return this;
        }

        /**
         * What to do with pods that wait to start, first matching rule first (default: {@link
         * PendingRule#defaults()}; see the README's "Pending rules"). Rules from YAML: {@link
         * PendingRule#fromYaml}. Replaces {@link #fatalWaitingReasons}.
         */
        public Builder pendingRules(List<PendingRule> rules) {
            this.pendingRules = PendingRules.of(List.copyOf(rules));
            return this;
        }

        /**
         * The older form of {@link #pendingRules}: each waiting reason ends the try at once (retried
         * while retries are left), except pulls a throttled or failing registry answered, which
         * wait. Replaces the pending rules.
         */
        public Builder fatalWaitingReasons(Set<String> reasons) {
            this.pendingRules = PendingRules.failingAtOnce(Set.copyOf(reasons));
            return this;
        }

        /** Log lines fetched into the failure details of a failed container (0: none). */
        /**
         * Whether pods are created with Drover's finalizer {@code drover.dev/result} (default true):
         * whoever deletes a pod, it then stays until its task's outcome is recorded and its logs
         * kept. Drover drops the finalizer in its cleanup write either way, so turning this off
         * later leaves no pod held.
         */
        public Builder podFinalizer(boolean on) {
            this.podFinalizer = on;
            return this;
        }

        /**
         * Whether container logs are archived when a try ends (default true): read from the pod
         * (before Drover's finalizer lets it go) into the store's log archive, or {@link
         * #logArchive}'s; {@code drover logs} and failure details read them from there.
         */
        public Builder archiveLogs(boolean on) {
            this.archiveLogs = on;
            return this;
        }

        /** Where logs are archived (default: the task store's, {@code TaskStore.logs()}); e.g. {@code LogArchives.directory(dir)}. */
        public Builder logArchive(dev.drover.core.store.LogArchive archive) {
            this.logArchive = java.util.Objects.requireNonNull(archive, "logArchive");
            return this;
        }

        /**
         * The most bytes of one container's log that are archived (default 10 MiB): over it, the
         * head and the tail are kept, with a line saying how much was cut between them.
         */
        public Builder logCapBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("logCapBytes must be at least 1024 (got " + bytes + ")");
            }
            this.logCapBytes = bytes;
            return this;
        }

        public Builder failureLogLines(int lines) {
            if (lines < 0) {
                throw new IllegalArgumentException("failureLogLines must not be negative (got " + lines + ")");
            }
            this.failureLogLines = lines;
            return this;
        }

        /**
         * How often the running scheduler compares the store's in-flight tasks with its own and picks
         * up any it does not hold (default 30 s; a task must be seen so twice).
         */
        public Builder reconcileInterval(Duration d) {
            this.reconcileInterval = positive("reconcileInterval", d);
            return this;
        }

        /**
         * How long a launch waits for its namespace's pods to be listed before it goes back to the
         * queue (default 10 s). Pods are never created where they could not be watched.
         */
        public Builder namespaceWait(Duration d) {
            this.namespaceWait = positive("namespaceWait", d);
            return this;
        }

        /** How long a launch refused for quota waits before it is tried again. */
        public Builder quotaRetry(Duration d) {
            this.quotaRetry = positive("quotaRetry", d);
            return this;
        }

        /**
         * This scheduler runs only tasks submitted through this Drover, never the shared queue: what
         * {@code drover run --wait} needs, so it leaves other people's tasks alone.
         */
        public Builder ownSubmissionsOnly() {
            this.ownSubmissionsOnly = true;
            return this;
        }

        /**
         * How often handles of tasks another scheduler runs are brought up to date from the store
         * (default 500 ms).
         */
        public Builder handlePoll(Duration d) {
            this.handlePoll = positive("handlePoll", d);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where Drover's meters go (tasks by state, submissions, launches, outcomes, retries,
         * startup latencies, store latency, replicas, and the apiserver client's and watches'
         * meters; see the README's "Metrics"), e.g. a {@code PrometheusMeterRegistry}. Default:
         * none (nothing is measured).
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        public Drover build() {
            return new Drover(this);
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive (got " + d + ")");
            }
            return d;
        }
    }

    /**
     * Checks a scheduler id: it is written as a label value, so at most 63 lower-case letters,
     * digits, '-' or '.', starting and ending with a letter or digit. Returns it.
     */
    public static String checkSchedulerId(String id) {
        return SchedulerIds.check(id);
    }
}
