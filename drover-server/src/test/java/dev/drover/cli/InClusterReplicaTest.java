package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.core.Drover;
import dev.drover.core.Replica;
import dev.drover.core.Task;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.kube.InCluster;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.AuditLog;
import dev.drover.testkit.KubernetesTest;
import dev.drover.testkit.PostgresServer;
import dev.drover.testkit.TestGround;
import dev.drover.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica as the Deployment runs it: in-cluster mode (KUBERNETES_SERVICE_HOST/PORT and the
 * service-account files a pod sees; no kubeconfig anywhere), acting as the ServiceAccount of
 * {@code deploy/base} bound to exactly its Role, on PostgreSQL. It runs tasks end to end, and the
 * apiserver's audit log shows that it used every verb the Role grants and nothing else.
 */
@KubernetesTest
class InClusterReplicaTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration ALIVE = Duration.ofSeconds(3);
    private static final String BEHAVIOR = NodeSimulator.BEHAVIOR_ANNOTATION;

    @TempDir
    Path dir;

    private String ns;
    private String account;
    private String storeUrl;
    private TaskStore store;
    private NodeSimulator sim;
    private final List<Process> replicas = new ArrayList<>();

    @BeforeEach
    void setUp(KubernetesClient admin, TestNamespace namespace) throws IOException {
        ns = namespace.name();
        account = "system:serviceaccount:" + ns + ":drover";
        storeUrl = PostgresServer.shared().createDatabase();
        store = TaskStores.fromUrl(storeUrl);
        sim = NodeSimulator.builder(admin)
                .namespaces(ns)
                .nodes(2)
                .nodeNamePrefix(ns + "-")
                .fidelity(Fidelity.LEAN)
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        replicas.forEach(Process::destroyForcibly);
        sim.close();
        store.close();
    }

    @Test
    void aReplicaWithTheShippedRoleRunsTasksEndToEndUsingEveryGrantedVerbAndNothingElse(
            TestGround ground, KubernetesClient admin) throws Exception {
        Role role = installBase(admin, null);
        Path files = serviceAccountFiles(ground);
        String ok;
        String bad;
        String survivor;
        try (Drover client = client(ground)) {
            Process first = startReplica(ground, files, "drover-0");

            ok = submit(client, "ok", "run=300ms; log=hello from ok");
            bad = submit(client, "bad", "run=300ms; exit=3; log=oops");
            String cancelled = submit(client, "cancelled", "run=5m");
            survivor = submit(client, "survivor", "run=6s; log=survived");
            awaitState(ok, TaskState.SUCCEEDED);
            awaitState(bad, TaskState.FAILED);
            awaitState(cancelled, TaskState.RUNNING);
            assertThat(client.cancel(cancelled)).isTrue();
            awaitState(cancelled, TaskState.CANCELLED);

            // The replica's pod dies while a task runs (kill -9); another replica takes over its pod.
            awaitState(survivor, TaskState.RUNNING);
            first.destroyForcibly().waitFor();
            startReplica(ground, files, "drover-1");
            awaitState(survivor, TaskState.SUCCEEDED);
            assertThat(store.get(survivor).orElseThrow().owner()).isEqualTo("drover-1");
        }

        Task failed = store.get(bad).orElseThrow();
        assertThat(failed.failure()).isNotNull();
        assertThat(failed.failure().exitCode()).isEqualTo(3);
        assertThat(Cli.run("logs", ok, "--store", storeUrl).out()).contains("hello from ok");
        assertThat(Cli.run("logs", bad, "--store", storeUrl).out()).contains("oops");
        assertThat(Cli.run("logs", survivor, "--store", storeUrl).out()).contains("survived");

        // The apiserver's own record: what this ServiceAccount asked, and what it was answered.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(used(ground)).isEqualTo(Manifests.grants(role)));
        assertThat(requests(ground)).noneMatch(e -> e.code() == 401 || e.code() == 403);
    }

    @Test
    void withoutTheCreateVerbNoTaskRunsAndTheAuditLogShowsTheRefusal(TestGround ground, KubernetesClient admin)
            throws Exception {
        installBase(admin, "create");
        Path files = serviceAccountFiles(ground);
        try (Drover client = client(ground)) {
            startReplica(ground, files, "drover-0");
            String task = submit(client, "ok", "run=300ms");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(requests(ground)).anySatisfy(e -> {
                        assertThat(e.verb()).isEqualTo("create");
                        assertThat(e.resource()).isEqualTo("pods");
                        assertThat(e.code()).isEqualTo(403);
                    }));
            assertThat(store.get(task).orElseThrow().state()).isNotEqualTo(TaskState.SUCCEEDED);
            assertThat(admin.pods().inNamespace(ns).list().getItems()).isEmpty();
        }
    }

    @Test
    void aSubmitAsTheServiceAccountTakesTheForbiddenNamespaceReadAsCannotTell(TestGround ground, KubernetesClient admin)
            throws Exception {
        installBase(admin, null);
        Path files = serviceAccountFiles(ground);
        Map<String, String> pod = Map.of(
                "KUBERNETES_SERVICE_HOST",
                "127.0.0.1",
                "KUBERNETES_SERVICE_PORT",
                Integer.toString(ground.apiServerPort()),
                InCluster.DIR_ENV,
                files.toString());
        // What `drover server` does with a submit: the Java API's checks, on the pod's credentials.
        try (Drover server = Drover.builder(InCluster.config(pod), store)
                .schedulerId("server")
                .build()) {
            String here = submit(server, "here", "run=300ms");
            String elsewhere = server.submit(TaskSpec.builder("elsewhere")
                            .namespace("no-such-namespace")
                            .image("registry.example/app:1")
                            .build())
                    .id();
            assertThat(store.get(here).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
            assertThat(store.get(elsewhere).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        }
        // No ClusterRole to read namespaces: the apiserver refused, and the tasks were taken
        // (a launch in a namespace that is not there then says so).
        assertThat(requests(ground))
                .filteredOn(e -> "namespaces".equals(e.resource()))
                .isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.verb()).isEqualTo("get");
                    assertThat(e.code()).isEqualTo(403);
                });
    }

    /**
     * Creates the ServiceAccount, Role and RoleBinding of {@code deploy/base} (as rendered) in the
     * test's namespace; {@code withoutVerb} drops one verb from every rule. Returns the Role.
     */
    private Role installBase(KubernetesClient admin, String withoutVerb) throws Exception {
        List<HasMetadata> base = Manifests.render(Manifests.DEPLOY.resolve("base"));
        Role role = Manifests.one(base, Role.class);
        if (withoutVerb != null) {
            List<PolicyRule> rules = new ArrayList<>();
            for (PolicyRule r : role.getRules()) {
                List<String> verbs = new ArrayList<>(r.getVerbs());
                verbs.remove(withoutVerb);
                rules.add(new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder(r)
                        .withVerbs(verbs)
                        .build());
            }
            role = new RoleBuilder(role).withRules(rules).build();
        }
        for (HasMetadata o : base) {
            switch (o.getKind()) {
                case "ServiceAccount", "RoleBinding" ->
                    admin.resource(o).inNamespace(ns).create();
                case "Role" -> admin.resource(role).inNamespace(ns).create();
                default -> {} // the Deployment and the rest need an image; the replica runs here instead
            }
        }
        return role;
    }

    /** What the kubelet mounts into the pod: token (TokenRequest for ServiceAccount drover), ca.crt, namespace. */
    private Path serviceAccountFiles(TestGround ground) throws IOException {
        Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(sa.resolve("token"), ground.serviceAccountToken(ns, "drover"));
        Files.writeString(sa.resolve("ca.crt"), ground.caCertificate());
        Files.writeString(sa.resolve("namespace"), ns);
        return sa;
    }

    /**
     * {@code drover worker} in a JVM of its own with a pod's environment: the service's address, the
     * service-account directory, the store URL from {@code DROVER_STORE} (as the Deployment passes it),
     * no kubeconfig (no $KUBECONFIG, a home without ~/.kube). Waits until the store has it alive.
     */
    private Process startReplica(TestGround ground, Path files, String id) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home-" + id));
        Path log = dir.resolve(id + ".log");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-Duser.home=" + home,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DroverCommand.class.getName(),
                        "worker",
                        "--scheduler-id",
                        id,
                        "--parallelism",
                        "10",
                        "--heartbeat-interval",
                        HEARTBEAT.toMillis() + "ms",
                        "--alive-threshold",
                        ALIVE.toMillis() + "ms",
                        "--reconcile-interval",
                        "2s")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("KUBECONFIG");
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(ground.apiServerPort()));
        env.put(InCluster.DIR_ENV, files.toString());
        env.put("DROVER_STORE", storeUrl);
        env.put("DROVER_NAMESPACES", ns); // the Deployment's, from the pod's namespace
        env.put("DROVER_LOG", "info");
        Process p = pb.start();
        replicas.add(p);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("replica " + id + " ended: " + Files.readString(log));
                    }
                    return store.replicas(ALIVE).stream()
                                    .filter(r -> r.id().equals(id))
                                    .anyMatch(Replica::alive)
                            && Files.readString(log).contains("running on " + KubeTarget.IN_CLUSTER);
                });
        return p;
    }

    /** A Drover that only submits, for the cluster an in-cluster replica names itself: the service's host:port. */
    private Drover client(TestGround ground) {
        return Drover.builder(ground.adminConfig(), store)
                .schedulerId("client")
                .cluster("127.0.0.1:" + ground.apiServerPort())
                .build();
    }

    private String submit(Drover client, String name, String behavior) {
        return client.submit(TaskSpec.builder(name)
                        .namespace(ns)
                        .image("registry.example/app:1")
                        .command("sh", "-c", "true")
                        .annotation(BEHAVIOR, behavior)
                        .build())
                .id();
    }

    private void awaitState(String id, TaskState state) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> store.get(id).orElseThrow().state(), s -> s == state);
    }

    /** Every request the ServiceAccount made, in any namespace or none, as the apiserver logged it. */
    private List<AuditLog.Entry> requests(TestGround ground) {
        return AuditLog.read(ground.auditLog(), e -> account.equals(e.user()));
    }

    /** Its requests as {@code resource[/subresource] verb}, like {@link Manifests#grants}. */
    private Set<String> used(TestGround ground) {
        return requests(ground).stream()
                .map(e -> e.resource() == null
                        ? e.requestUri() + " " + e.verb() // e.g. the silent-watch probe, GET /version
                        : (e.namespace() == null ? "(cluster) " : "")
                                + e.resource()
                                + (e.subresource() == null ? "" : "/" + e.subresource())
                                + " "
                                + e.verb())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
