package dev.drover.core;

import dev.drover.core.store.TaskStore;
import dev.drover.kube.KubeApi;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drover's Java API: tasks in, pods out, results back.
 *
 * <pre>{@code
 * try (Drover drover = Drover.builder(kubeConfig, store).schedulerId("etl-1").parallelism(50).build().start()) {
 *     TaskHandle h = drover.submit(TaskSpec.builder("hello").image("busybox").command("echo", "hi").build());
 *     Task done = h.result().get();
 * }
 * }</pre>
 */
public final class Drover implements AutoCloseable {
    private final TaskStore store;
    private final KubernetesClient client;
    private final KubeApi api;
    private final TaskEngine engine;
    private final String owner;
    private final Clock clock;
    private final Map<String, TaskHandle> handles = new ConcurrentHashMap<>();

    /**
     * Waiting reasons that fail a Pending pod at once: the kubelet will not get past them. {@code
     * ErrImagePull} with "pull QPS exceeded" (registry throttling) is transient and not among them.
     */
    public static final Set<String> DEFAULT_FATAL_WAITING_REASONS = PodClassifier.DEFAULT_FATAL_REASONS;

    private Drover(Builder b) {
        this.store = b.store;
        this.owner = b.schedulerId;
        this.clock = b.clock;
        // Our own code honours Retry-After on 429; fabric8's retry would not (see drover-kube's README).
        Config noRetries =
                new ConfigBuilder(b.config).withRequestRetryBackoffLimit(0).build();
        this.client = new KubernetesClientBuilder().withConfig(noRetries).build();
        double apiQps = Double.isNaN(b.apiQps) ? Math.max(50, 2.5 * b.launchQps) : b.apiQps;
        this.api = KubeApi.builder(b.config)
                .qps(apiQps)
                .burst((int) Math.max(1, apiQps * 2))
                .verbRate("create", b.launchQps, Math.max(1, (int) b.launchQps))
                .build();
        this.engine = new TaskEngine(
                store,
                client,
                api,
                new TaskEngine.Settings(
                        owner,
                        b.parallelism,
                        b.launchQps,
                        b.launchConcurrency,
                        b.tick,
                        b.fatalWaitingReasons,
                        b.failureLogLines,
                        b.quotaRetry,
                        b.reconcileInterval),
                clock,
                this::changed);
    }

    public static Builder builder(Config config, TaskStore store) {
        return new Builder(config, store);
    }

    /** Reconciles with what happened while no scheduler ran, then starts scheduling. */
    public Drover start() {
        try {
            engine.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        return this;
    }

    /**
     * Checks and queues a task. Throws {@code InvalidTaskException} naming the bad field; nothing
     * is stored then.
     */
    public TaskHandle submit(TaskSpec spec) {
        spec.validate();
        String id = TaskIds.next();
        TaskHandle h = new TaskHandle(id);
        handles.put(id, h);
        Task t;
        try {
            t = store.insert(id, spec, clock.instant());
        } catch (RuntimeException e) {
            handles.remove(id);
            throw e;
        }
        h.changed(t);
        engine.nudge();
        return h;
    }

    /**
     * Checks and queues many tasks in one store transaction: all or none. Throws {@code
     * InvalidTaskException} naming the first bad task ({@code tasks[i].field}); nothing is stored then.
     */
    public List<TaskHandle> submitAll(List<TaskSpec> specs) {
        for (int i = 0; i < specs.size(); i++) {
            try {
                specs.get(i).validate();
            } catch (InvalidTaskException e) {
                throw new InvalidTaskException(
                        "tasks[" + i + "]." + e.field(),
                        e.getMessage().substring(e.field().length() + 2));
            }
        }
        java.util.LinkedHashMap<String, TaskSpec> byId = new java.util.LinkedHashMap<>();
        List<TaskHandle> out = new java.util.ArrayList<>(specs.size());
        for (TaskSpec spec : specs) {
            String id = TaskIds.next();
            byId.put(id, spec);
            TaskHandle h = new TaskHandle(id);
            handles.put(id, h); // before the insert: the scheduler may claim it at once
            out.add(h);
        }
        List<Task> stored;
        try {
            stored = store.insertAll(byId, clock.instant());
        } catch (RuntimeException e) {
            byId.keySet().forEach(handles::remove);
            throw e;
        }
        for (int i = 0; i < stored.size(); i++) {
            out.get(i).changed(stored.get(i));
        }
        engine.nudge();
        return out;
    }

    /** Asks for a cancel; the scheduler revokes and deletes the pod. False if unknown or already ended. */
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
        return Optional.ofNullable(handles.get(id));
    }

    /** Tasks this scheduler holds in flight (its used slots). */
    public int inFlight() {
        return engine.inFlight();
    }

    public String schedulerId() {
        return owner;
    }

    private void changed(Task t) {
        TaskHandle h = handles.get(t.id());
        if (h != null) {
            h.changed(t);
            if (t.state().isTerminal()) {
                handles.remove(t.id());
            }
        }
    }

    @Override
    public void close() {
        engine.close();
        api.close();
        client.close();
    }

    /** Defaults: parallelism 100, 50 launches/s, 16 creates in flight, ticks every 200 ms. */
    public static final class Builder {
        private final Config config;
        private final TaskStore store;
        private String schedulerId = defaultSchedulerId();
        private int parallelism = 100;
        private double launchQps = 50;
        private int launchConcurrency = 16;
        private double apiQps = Double.NaN;
        private Duration tick = Duration.ofMillis(200);
        private Set<String> fatalWaitingReasons = DEFAULT_FATAL_WAITING_REASONS;
        private int failureLogLines = 20;
        private Duration quotaRetry = Duration.ofSeconds(30);
        private Duration reconcileInterval = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder(Config config, TaskStore store) {
            this.config = Objects.requireNonNull(config, "config");
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * This scheduler's identity, written on its pods (label {@code drover.dev/owner}); a restart
         * with the same id picks up its pods. Default: the host name.
         */
        public Builder schedulerId(String id) {
            if (id == null || !id.matches("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("schedulerId '" + id + "' must be a valid label value in lower case,"
                        + " e.g. etl-scheduler-1");
            }
            this.schedulerId = id;
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

        public Builder tick(Duration tick) {
            this.tick = tick;
            return this;
        }

        /** Waiting reasons that fail a Pending pod at once (default: {@link #DEFAULT_FATAL_WAITING_REASONS}). */
        public Builder fatalWaitingReasons(Set<String> reasons) {
            this.fatalWaitingReasons = Set.copyOf(reasons);
            return this;
        }

        /** Log lines fetched into the failure details of a failed container (0: none). */
        public Builder failureLogLines(int lines) {
            this.failureLogLines = lines;
            return this;
        }

        /** How long a launch refused for quota waits before it is tried again. */
        /**
         * How often the running scheduler compares the store's in-flight tasks with its own and picks
         * up any it does not hold (default 30 s; a task must be seen so twice).
         */
        public Builder reconcileInterval(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("reconcileInterval must be positive (got " + d + ")");
            }
            this.reconcileInterval = d;
            return this;
        }

        public Builder quotaRetry(Duration d) {
            this.quotaRetry = d;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Drover build() {
            return new Drover(this);
        }

        private static String defaultSchedulerId() {
            String host = System.getenv().getOrDefault("HOSTNAME", "");
            if (host.isBlank()) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.io.IOException e) {
                    host = "drover";
                }
            }
            String id = host.toLowerCase(java.util.Locale.ROOT)
                    .replaceAll("[^a-z0-9.-]", "-")
                    .replaceAll("^[-.]+|[-.]+$", "");
            return id.isEmpty() ? "drover" : id.substring(0, Math.min(63, id.length()));
        }
    }
}
