package dev.drover.testkit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes API on this machine: etcd plus kube-apiserver v1.20.2 on free loopback ports,
 * token auth and RBAC on, in a temporary directory.
 *
 * <pre>{@code
 * try (TestGround ground = TestGround.builder().auditLog(true).build().start()) {
 *     KubernetesClient admin = ground.adminClient();
 *     ...
 * }
 * }</pre>
 *
 * <p>There are no kubelets, scheduler or controller-manager: pods stay Pending unless the node
 * simulator ({@code drover-sim}) runs, and namespaces are never finalized after deletion.
 */
public final class TestGround implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TestGround.class);
    private static final String STATE_FILE = "ground.properties";

    private final Builder options;
    private final Path stateDir;
    private final Path runDir;
    private final String id;
    private String adminToken;
    private int apiPort;
    private int etcdPort;
    private Path etcdDataDir;
    private EtcdServer etcd;
    private ChildProcess etcdProcess;
    private ChildProcess apiProcess;
    private List<String> apiCommand;
    private Thread shutdownHook;
    private volatile boolean stopped;
    private boolean frozen;

    private TestGround(Builder options, Path stateDir) {
        this.options = options;
        this.stateDir = stateDir;
        // Attached grounds share one run directory so a later start can reap what a killed JVM left.
        this.runDir = options.detached
                ? stateDir.resolve("run")
                : KubeApiServerBinary.cacheDir().resolve("run");
        this.id = options.detached ? "detached" : stateDir.getFileName().toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts etcd and kube-apiserver and waits until the API answers and namespace default exists. */
    public TestGround start() {
        long t0 = System.nanoTime();
        ChildProcess.reapOrphans(runDir, false);
        Path binary = KubeApiServerBinary.ensure();
        try {
            Files.createDirectories(stateDir);
            etcdPort = freePort();
            int peerPort = freePort();
            apiPort = freePort();
            adminToken = randomToken();
            etcdDataDir = Files.isWritable(Path.of("/dev/shm"))
                    ? Files.createTempDirectory(Path.of("/dev/shm"), "drover-etcd-")
                    : Files.createDirectories(stateDir.resolve("etcd"));
            GroundFiles files = GroundFiles.write(stateDir, adminToken);
            etcd = new EtcdServer(etcdPort);
            etcdProcess = ChildProcess.start(
                    "etcd-" + id,
                    EtcdServer.command(etcdDataDir, etcdPort, peerPort),
                    runDir,
                    stateDir.resolve("etcd.log"),
                    options.detached);
            registerShutdownHook();
            await("etcd healthy", Duration.ofSeconds(30), etcd::isHealthy, etcdProcess);
            apiCommand = apiServerCommand(binary, files);
            startApiServer();
            writeKubeconfig();
            writeState();
            try (KubernetesClient admin = adminClient()) {
                await(
                        "namespace default",
                        Duration.ofSeconds(60),
                        () -> admin.namespaces().withName("default").get() != null,
                        apiProcess);
            }
            log.info(
                    "test ground ready in {} ms: {} (kubeconfig {})",
                    Duration.ofNanos(System.nanoTime() - t0).toMillis(),
                    masterUrl(),
                    kubeconfig());
            return this;
        } catch (IOException e) {
            stop();
            throw new IllegalStateException(
                    "could not start the test ground in " + stateDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private List<String> apiServerCommand(Path binary, GroundFiles files) {
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--etcd-servers=" + etcd.endpoint(),
                "--secure-port=" + apiPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--insecure-port=0",
                "--cert-dir=" + stateDir.resolve("certs"),
                "--token-auth-file=" + files.tokens(),
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + files.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + files.serviceAccountKey(),
                "--service-cluster-ip-range=10.0.0.0/24",
                "--disable-admission-plugins=ServiceAccount",
                "--allow-privileged=true",
                "--endpoint-reconciler-type=none",
                "--profiling=false",
                "--v=0"));
        if (options.auditLog) {
            cmd.add("--audit-policy-file=" + files.auditPolicy());
            cmd.add("--audit-log-path=" + auditLog());
            cmd.add("--audit-log-mode=blocking");
        }
        if (options.maxRequestsInflight > 0 || options.maxMutatingRequestsInflight > 0) {
            cmd.add("--enable-priority-and-fairness=false");
            if (options.maxRequestsInflight > 0) {
                cmd.add("--max-requests-inflight=" + options.maxRequestsInflight);
            }
            if (options.maxMutatingRequestsInflight > 0) {
                cmd.add("--max-mutating-requests-inflight=" + options.maxMutatingRequestsInflight);
            }
        }
        if (!options.watchCache) {
            cmd.add("--watch-cache=false");
        }
        if (options.etcdCompactionInterval != null) {
            cmd.add("--etcd-compaction-interval=" + options.etcdCompactionInterval.toMillis() + "ms");
        }
        cmd.addAll(options.extraFlags);
        return cmd;
    }

    private void startApiServer() throws IOException {
        apiProcess = ChildProcess.start(
                "kube-apiserver-" + id, apiCommand, runDir, stateDir.resolve("kube-apiserver.log"), options.detached);
        await("kube-apiserver /readyz", Duration.ofSeconds(120), this::isReady, apiProcess);
    }

    /** Stops kube-apiserver only; etcd keeps its data. Pair with {@link #startApiServer()}. */
    public void stopApiServer() {
        if (apiProcess != null) {
            thawApiServer();
            apiProcess.stop(Duration.ofSeconds(20));
        }
    }

    /** Starts kube-apiserver again on the same port against the same etcd. */
    public void restartApiServerAfterStop() {
        try {
            startApiServer();
        } catch (IOException e) {
            throw new IllegalStateException("could not restart kube-apiserver: " + e.getMessage(), e);
        }
    }

    /**
     * Restarts kube-apiserver in place: same port, same etcd. Its watch cache starts empty, so
     * watches resumed from an older resourceVersion may answer 410 Gone.
     */
    public TestGround restartApiServer() {
        log.info("restarting kube-apiserver on port {}", apiPort);
        stopApiServer();
        restartApiServerAfterStop();
        return this;
    }

    /**
     * Freezes kube-apiserver (SIGSTOP): its connections stay open and nothing answers, as with a
     * server stuck in a long GC pause or a dead network path. Close the result to thaw it; {@link
     * #thawApiServer()} and {@link #stop()} thaw it too, so a failed test never leaves it frozen:
     *
     * <pre>{@code
     * try (var frozen = ground.freezeApiServer()) {
     *     ... // requests hang until the thaw
     * }
     * }</pre>
     */
    public synchronized Frozen freezeApiServer() {
        if (apiProcess == null || !apiProcess.isAlive()) {
            throw new IllegalStateException("kube-apiserver is not running; start the ground before freezing it");
        }
        apiProcess.signal("STOP");
        frozen = true;
        log.info("kube-apiserver frozen (SIGSTOP)");
        return new Frozen();
    }

    /** Lets a frozen kube-apiserver run again (SIGCONT). Harmless when it is not frozen. */
    public synchronized void thawApiServer() {
        if (frozen && apiProcess != null) {
            apiProcess.signal("CONT");
            frozen = false;
            log.info("kube-apiserver thawed (SIGCONT)");
        }
    }

    /** A frozen kube-apiserver; {@link #close()} thaws it. */
    public final class Frozen implements AutoCloseable {
        private Frozen() {}

        @Override
        public void close() {
            thawApiServer();
        }
    }

    /**
     * Registers a validating admission webhook that refuses the first {@code denials} pod creates
     * in {@code namespace} with 429 and {@code Retry-After: <retryAfter>} (a real server's own 429s
     * always say 1 s). Returns once the apiserver calls it; close it to unregister.
     */
    public ThrottlingWebhook throttlePodCreates(String namespace, int denials, Duration retryAfter) {
        return ThrottlingWebhook.start(this, namespace, denials, retryAfter);
    }

    /** Compacts etcd's history up to now; watches and continue tokens from older revisions get 410. */
    public long compactEtcd() {
        return etcd.compact();
    }

    /**
     * Compacts etcd's history before {@code revision} (a resourceVersion): a watch from just
     * before a change at exactly that revision then meets a change whose previous value is gone
     * (kube-apiserver 1.20 answers 500 {@code PrevKv=nil}, not 410).
     */
    public long compactEtcd(long revision) {
        return etcd.compact(revision);
    }

    /**
     * Moves etcd's revision on without Kubernetes noticing (a key outside its prefix). Done while
     * kube-apiserver is stopped, its new watch cache starts past every resourceVersion a client
     * held, so resuming a watch answers 410.
     */
    public long bumpEtcdRevision() {
        return etcd.bumpRevision();
    }

    /** True when {@code GET /readyz} answers 200. */
    public boolean isReady() {
        return readyz(masterUrl(), adminToken);
    }

    static boolean readyz(String masterUrl, String token) {
        try {
            var r = insecureHttp()
                    .send(
                            HttpRequest.newBuilder(URI.create(masterUrl + "/readyz"))
                                    .header("Authorization", "Bearer " + token)
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String masterUrl() {
        return "https://127.0.0.1:" + apiPort;
    }

    public int apiServerPort() {
        return apiPort;
    }

    public String adminToken() {
        return adminToken;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path kubeconfig() {
        return stateDir.resolve("kubeconfig");
    }

    /**
     * Writes a kubeconfig for {@code user} to {@code file} (the same cluster entry as {@link
     * #kubeconfig()}, the user's token): for a child process that must act as that user.
     */
    public Path kubeconfigFor(TestUser user, Path file) {
        try {
            Files.writeString(file, kubeconfigYaml(user.userName(), user.token(), user.namespace()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    /** The audit log (one JSON line per request), when the ground was built with {@code auditLog(true)}. */
    public Path auditLog() {
        return stateDir.resolve("audit.log");
    }

    public Path apiServerLog() {
        return stateDir.resolve("kube-apiserver.log");
    }

    /** fabric8 configuration for the admin user (group system:masters). */
    public Config adminConfig() {
        return configFor(adminToken);
    }

    /** A new admin client; the caller closes it. */
    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }

    Config configFor(String token) {
        return configFor(token, "default");
    }

    Config configFor(String token, String namespace) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(masterUrl())
                .withOauthToken(token)
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .withNamespace(namespace)
                .build();
    }

    /** Creates a fresh namespace named {@code prefix-<random>} and returns its name. */
    public String createNamespace(String prefix) {
        String clean =
                prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        clean = clean.substring(0, Math.min(clean.length(), 50)).replaceAll("^-|-$", "");
        String name = (clean.isEmpty() ? "t" : clean) + "-"
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        try (KubernetesClient admin = adminClient()) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .build())
                    .create();
        }
        return name;
    }

    /**
     * Mints a user who may do only what {@code rules} grant in {@code namespace}: a ServiceAccount,
     * a Role and RoleBinding, and a token from the TokenRequest API.
     */
    public TestUser restrictedUser(String namespace, String name, RbacRule... rules) {
        return TestUsers.mint(this, namespace, name, List.of(rules));
    }

    /**
     * A token of the existing ServiceAccount {@code namespace/name} from the TokenRequest API (as the
     * kubelet gets one for a pod's projected token), valid for a day.
     */
    public String serviceAccountToken(String namespace, String name) {
        return TestUsers.token(this, namespace, name);
    }

    /**
     * The CA that signed the apiserver's serving certificate (PEM), what a pod finds in its {@code
     * ca.crt}: the apiserver makes both at its first start, into {@code certs/apiserver.crt} (serving
     * certificate first, then the CA); the serving certificate names 127.0.0.1.
     */
    public String caCertificate() {
        try {
            String chain = Files.readString(stateDir.resolve("certs").resolve("apiserver.crt"));
            int last = chain.lastIndexOf("-----BEGIN CERTIFICATE-----");
            if (last < 0) {
                throw new IllegalStateException("no certificate in " + stateDir.resolve("certs/apiserver.crt"));
            }
            return chain.substring(last);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the apiserver's certificate: " + e, e);
        }
    }

    /** Lets a restricted user do what {@code rules} grant in another namespace too (a Role and RoleBinding there). */
    public void grant(TestUser user, String namespace, RbacRule... rules) {
        TestUsers.grant(this, user, namespace, List.of(rules));
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops kube-apiserver and etcd and removes etcd's data. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (apiProcess != null) {
            thawApiServer();
            apiProcess.stop(Duration.ofSeconds(20));
        }
        if (etcdProcess != null) {
            etcdProcess.stop(Duration.ofSeconds(10));
        }
        deleteTree(etcdDataDir);
        if (!options.detached && !Boolean.getBoolean("drover.testground.keep")) {
            deleteTree(stateDir); // set -Ddrover.testground.keep=true to keep logs and certificates
        }
        try {
            Files.deleteIfExists(stateDir.resolve(STATE_FILE));
        } catch (IOException ignored) {
            // harmless
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        log.info("test ground stopped");
    }

    // --- detached grounds (drover testground start|stop|status) ---

    /** Where {@code drover testground start} keeps its state. */
    public static Path defaultDetachedStateDir() {
        return KubeApiServerBinary.cacheDir().resolve("testground");
    }

    /** Facts about a detached ground found in {@code stateDir}, if one was started there. */
    public static Optional<RunningGround> findDetached(Path stateDir) {
        Path f = stateDir.resolve(STATE_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(new RunningGround(
                stateDir,
                p.getProperty("masterUrl"),
                p.getProperty("adminToken"),
                Path.of(p.getProperty("kubeconfig")),
                Path.of(p.getProperty("etcdDataDir", "/nonexistent"))));
    }

    /** Stops a detached ground by its pid files; returns whether anything was running. */
    public static boolean stopDetached(Path stateDir) {
        Optional<RunningGround> found = findDetached(stateDir);
        int killed = ChildProcess.reapOrphans(stateDir.resolve("run"), true);
        found.ifPresent(g -> deleteTree(g.etcdDataDir()));
        try {
            Files.deleteIfExists(stateDir.resolve(STATE_FILE));
        } catch (IOException ignored) {
            // harmless
        }
        return killed > 0;
    }

    /** A ground started by another process, known from its state file. */
    public record RunningGround(Path stateDir, String masterUrl, String adminToken, Path kubeconfig, Path etcdDataDir) {
        public boolean isReady() {
            return readyz(masterUrl, adminToken);
        }
    }

    // --- internals ---

    private void registerShutdownHook() {
        if (options.detached || shutdownHook != null) {
            return;
        }
        shutdownHook = new Thread(this::stop, "drover-testground-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void writeKubeconfig() throws IOException {
        Files.writeString(kubeconfig(), kubeconfigYaml("admin", adminToken, "default"));
    }

    /** A kubeconfig of one cluster (this ground), one user with a bearer token, one context. */
    private String kubeconfigYaml(String user, String token, String namespace) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: drover-testground
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: drover-testground
                  context:
                    cluster: drover-testground
                    user: %s
                    namespace: %s
                current-context: drover-testground
                """.formatted(masterUrl(), user, token, user, namespace);
    }

    private void writeState() throws IOException {
        Properties p = new Properties();
        p.setProperty("masterUrl", masterUrl());
        p.setProperty("adminToken", adminToken);
        p.setProperty("kubeconfig", kubeconfig().toString());
        p.setProperty("etcdEndpoint", etcd.endpoint());
        p.setProperty("etcdDataDir", etcdDataDir.toString());
        try (Writer w = Files.newBufferedWriter(stateDir.resolve(STATE_FILE))) {
            p.store(w, "drover test ground");
        }
    }

    private static void await(
            String what, Duration timeout, java.util.function.BooleanSupplier ready, ChildProcess proc) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok;
            try {
                ok = ready.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            if (proc != null && !proc.isAlive()) {
                throw new IllegalStateException(proc.name() + " exited while waiting for " + what + "; last lines of "
                        + proc.logFile() + ":\n" + tail(proc.logFile(), 30));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                + (proc == null ? "" : "; last lines of " + proc.logFile() + ":\n" + tail(proc.logFile(), 30)));
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.debug("could not delete {}: {}", dir, e.toString());
        }
    }

    private static volatile HttpClient insecure;

    static HttpClient insecureHttp() {
        if (insecure == null) {
            try {
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
                insecure = HttpClient.newBuilder()
                        .sslContext(ssl)
                        .connectTimeout(Duration.ofSeconds(3))
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return insecure;
    }

    /** The test ground's serving certificate is self-signed; trusting it is the point on loopback. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Options for a test ground; the defaults suit most tests. */
    public static final class Builder {
        private @Nullable Path stateDir;
        private boolean detached;
        private boolean auditLog;
        private int maxRequestsInflight;
        private int maxMutatingRequestsInflight;
        private boolean watchCache = true;
        private @Nullable Duration etcdCompactionInterval;
        private final List<String> extraFlags = new ArrayList<>();

        private Builder() {}

        /** Directory for certificates, kubeconfig, logs; default: a new temporary directory. */
        public Builder stateDir(@Nullable Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Let the servers outlive this JVM (for {@code drover testground start}). */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** Log every request (verb, URI, user, code) to {@link TestGround#auditLog()}. */
        public Builder auditLog(boolean on) {
            this.auditLog = on;
            return this;
        }

        /** Small limits make the apiserver answer 429 with Retry-After; turns off priority and fairness. */
        public Builder maxRequestsInflight(int readOnly, int mutating) {
            this.maxRequestsInflight = readOnly;
            this.maxMutatingRequestsInflight = mutating;
            return this;
        }

        /** Without the watch cache every watch and list goes to etcd, so compaction yields 410s. */
        public Builder watchCache(boolean on) {
            this.watchCache = on;
            return this;
        }

        /** How often kube-apiserver compacts etcd (default 5 min). */
        public Builder etcdCompactionInterval(@Nullable Duration interval) {
            this.etcdCompactionInterval = interval;
            return this;
        }

        /** Any other kube-apiserver flag, e.g. {@code --watch-cache-sizes=pods#10}. */
        public Builder apiServerFlag(String flag) {
            this.extraFlags.add(flag);
            return this;
        }

        public TestGround build() {
            try {
                Path dir = stateDir != null ? stateDir : Files.createTempDirectory("drover-ground-");
                return new TestGround(this, dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a state directory: " + e.getMessage(), e);
            }
        }
    }
}
