package dev.drover.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated Kubernetes nodes for a real apiserver: a scheduler that binds pending pods and kubelets
 * that walk them through kubelet-faithful statuses and Events and serve their logs. What each pod
 * does is set by its {@value #BEHAVIOR_ANNOTATION} annotation (see the module README).
 *
 * <pre>{@code
 * try (NodeSimulator sim = NodeSimulator.builder(client).nodes(3).namespaces(List.of("ns1")).build().start()) {
 *     // create pods in ns1; they get bound, run and finish
 * }
 * }</pre>
 *
 * <p>Several simulators may share one apiserver if their node names and namespaces differ. Not for
 * production use.
 */
public final class NodeSimulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeSimulator.class);

    /** The pod annotation that sets a pod's simulated behaviour. */
    public static final String BEHAVIOR_ANNOTATION = "sim.drover.dev/behavior";

    private final Builder options;
    private final SimCounters counters = new SimCounters();
    private final List<PodWatch> watches = new ArrayList<>();
    private SimLoop loop;
    private KubernetesClient own;
    private ApiWriter api;
    private KubeletServer server;
    private SimNodes nodes;
    private SimKubelet kubelet;
    private SimScheduler scheduler;
    private volatile boolean started;
    private volatile boolean closed;

    private NodeSimulator(Builder options) {
        this.options = options;
    }

    public static Builder builder(KubernetesClient client) {
        return new Builder(client);
    }

    /**
     * Registers the nodes, starts the kubelet server and watches pods; returns once the first list
     * of pods has been seen, so pods created afterwards are certain to be picked up.
     */
    public synchronized NodeSimulator start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        KubernetesClient client = options.client;
        try {
            loop = new SimLoop("drover-sim-" + options.prefix.replaceAll("-$", ""));
            // A client of our own, closed with us; fabric8's retries (10 tries on 5xx and I/O
            // errors) are off because ours count, honour Retry-After and know when to give up.
            own = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(client.getConfiguration())
                            .withRequestRetryBackoffLimit(0)
                            .build())
                    .build();
            HttpClient http = own.getHttpClient();
            api = new ApiWriter(
                    http,
                    client.getMasterUrl().toString(),
                    loop.scheduler(),
                    counters,
                    options.maxConcurrentWrites,
                    options.giveUpAfter);
            server = new KubeletServer(options.kubeletPort).start();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < options.nodes; i++) {
                names.add(options.prefix + i);
            }
            nodes = new SimNodes(api, names, server.port());
            nodes.register();
            kubelet = new SimKubelet(loop, api, counters, server, options.fidelity, this::loseNodeAsync, nodes::ready);
            scheduler =
                    new SimScheduler(loop, api, nodes, counters, options.fidelity == Fidelity.FULL, kubelet::active);
            List<String> scopes = options.namespaces.isEmpty() ? Collections.singletonList(null) : options.namespaces;
            for (String ns : scopes) {
                watches.add(new PodWatch(http, client.getMasterUrl().toString(), ns, new Sink()).start());
            }
            CompletableFuture.allOf(watches.stream().map(PodWatch::firstList).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            log.info(
                    "node simulator up: nodes {}, kubelet port {}, namespaces {}, fidelity {}",
                    names,
                    server.port(),
                    options.namespaces.isEmpty() ? "all" : options.namespaces,
                    options.fidelity);
            return this;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the node simulator could not start: " + e.getMessage(), e);
        }
    }

    /** The HTTPS port serving {@code /containerLogs} for every simulated node. */
    public int kubeletPort() {
        requireStarted();
        return server.port();
    }

    /** The simulated nodes' names, {@code <prefix>0 .. <prefix>(n-1)}. */
    public List<String> nodeNames() {
        requireStarted();
        return nodes.names();
    }

    /**
     * Loses a node: its Ready condition becomes Unknown (reason NodeStatusUnknown), it gets the
     * unreachable taints, and its pods stop changing (no more statuses, deletions left pending, log
     * requests refused). Returns once the node's status is written.
     */
    public void loseNode(String name) {
        requireStarted();
        if (!nodes.owns(name)) {
            throw new IllegalArgumentException("no simulated node " + name + "; nodes are " + nodes.names());
        }
        try {
            loseNodeAsync(name).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not mark node " + name + " lost: " + e.getMessage(), e);
        }
    }

    private CompletableFuture<Void> loseNodeAsync(String name) {
        if (!nodes.markLost(name)) {
            return CompletableFuture.completedFuture(null);
        }
        log.info("node {} lost", name);
        loop.execute(() -> kubelet.nodeLost(name));
        return nodes.writeLost(name);
    }

    /** Counts of what the simulator has done so far. */
    public SimStats stats() {
        return counters.snapshot();
    }

    /** Stops watching, timers and the kubelet server, and deletes the nodes (unless told not to). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watches.forEach(PodWatch::close);
        if (loop != null && kubelet != null) {
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            loop.execute(() -> {
                kubelet.close();
                stopped.complete(null);
            });
            try {
                stopped.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("kubelet did not stop in time: {}", e.toString());
            }
        }
        if (nodes != null && options.deleteNodesOnClose) {
            nodes.delete();
        }
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (own != null) {
            own.close();
        }
    }

    private void requireStarted() {
        if (!started || server == null || nodes == null) {
            throw new IllegalStateException("call start() first");
        }
    }

    /** Watch output, moved onto the loop thread. */
    private final class Sink implements PodWatch.Sink {
        @Override
        public void listed(String namespace, List<Pod> pods) {
            loop.execute(() -> {
                Set<String> uids = new HashSet<>();
                for (Pod p : pods) {
                    uids.add(p.getMetadata().getUid());
                    dispatch(p);
                }
                kubelet.listed(namespace, uids);
            });
        }

        @Override
        public void changed(Pod pod) {
            loop.execute(() -> dispatch(pod));
        }

        @Override
        public void deleted(Pod pod) {
            loop.execute(() -> {
                scheduler.forget(pod.getMetadata().getUid());
                kubelet.deleted(pod.getMetadata().getUid());
            });
        }

        private void dispatch(Pod pod) {
            String node = pod.getSpec().getNodeName();
            if (node == null || node.isEmpty()) {
                scheduler.pending(pod);
                return;
            }
            scheduler.forget(pod.getMetadata().getUid());
            if (nodes.owns(node)) {
                kubelet.changed(pod, node);
            }
        }
    }

    /** Options for a {@link NodeSimulator}; the defaults suit most tests. */
    public static final class Builder {
        private final KubernetesClient client;
        private int nodes = 1;
        private String prefix =
                "sim-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36) + "-";
        private List<String> namespaces = List.of();
        private Fidelity fidelity = Fidelity.FULL;
        private int maxConcurrentWrites = 64;
        private int kubeletPort;
        private boolean deleteNodesOnClose = true;
        private Duration giveUpAfter = Duration.ofMinutes(2);

        private Builder(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** How many nodes to simulate (default 1). */
        public Builder nodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("nodes must be at least 1, was " + count);
            }
            this.nodes = count;
            return this;
        }

        /**
         * Node names are {@code prefix + index}; default {@code sim-<random>-}. Simulators sharing an
         * apiserver need different prefixes.
         */
        public Builder nodeNamePrefix(String prefix) {
            String p = prefix.toLowerCase(Locale.ROOT);
            if (!p.matches("[a-z0-9]([-a-z0-9.]*)?")) {
                throw new IllegalArgumentException("node name prefix must be lower-case DNS characters: " + prefix);
            }
            this.prefix = p;
            return this;
        }

        /** Namespaces whose pending pods this simulator binds; empty (the default) means all. */
        public Builder namespaces(List<String> namespaces) {
            this.namespaces = List.copyOf(namespaces);
            return this;
        }

        public Builder namespaces(String... namespaces) {
            return namespaces(List.of(namespaces));
        }

        /** {@link Fidelity#FULL} (default) or {@link Fidelity#LEAN}. */
        public Builder fidelity(Fidelity fidelity) {
            this.fidelity = Objects.requireNonNull(fidelity);
            return this;
        }

        /** Requests in flight to the apiserver at once (default 64). */
        public Builder maxConcurrentWrites(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentWrites must be at least 1");
            }
            this.maxConcurrentWrites = max;
            return this;
        }

        /** Port of the kubelet HTTPS server on 127.0.0.1; default 0, any free port. */
        public Builder kubeletPort(int port) {
            this.kubeletPort = port;
            return this;
        }

        /** Whether {@link #close()} deletes the nodes (default true). */
        public Builder deleteNodesOnClose(boolean delete) {
            this.deleteNodesOnClose = delete;
            return this;
        }

        /** How long a write is retried through connection errors, 429s and 5xx (default 2 min). */
        public Builder giveUpAfter(Duration giveUpAfter) {
            this.giveUpAfter = Objects.requireNonNull(giveUpAfter);
            return this;
        }

        public NodeSimulator build() {
            return new NodeSimulator(this);
        }
    }
}
