package dev.drover.cli;

import dev.drover.core.CleanupPolicy;
import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.TaskSpec;
import dev.drover.core.TaskState;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.kube.Delta;
import dev.drover.kube.EventView;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover demo}: the test ground, the node simulator and a batch of tasks run by Drover's
 * executor, followed live.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the test ground (a real kube-apiserver) in the background and simulated nodes, then runs a",
            "batch of tasks through Drover's executor: some succeed, one fails with an exit code, one is",
            "throttled by its registry and then runs, one has an image that cannot be pulled (fails fast),",
            "one fails and is retried. Prints task states and pod Events as they happen, then the results.",
            "Exit 0 when every task ended as expected."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = {"-o", "--output"},
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    @Option(names = "--timeout", description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 180;

    @Option(
            names = "--store",
            description = "JDBC URL of the task store (default: an H2 file in the test ground's directory).")
    String store;

    record Sample(String name, String behavior, List<String> command, int retries, TaskState expected) {}

    static final List<Sample> SAMPLES = List.of(
            new Sample(
                    "hello-ok",
                    "run=3s; log=starting|working on it|done",
                    List.of("echo", "hello"),
                    0,
                    TaskState.SUCCEEDED),
            new Sample("report-ok", "run=2s; log=report written", List.of("report", "--daily"), 0, TaskState.SUCCEEDED),
            new Sample(
                    "crunch-fails",
                    "run=2s; exit=3; log=loading data|error: input file missing",
                    List.of("crunch", "--input", "/data/in.csv"),
                    0,
                    TaskState.FAILED),
            new Sample(
                    "throttled-then-runs",
                    "pull-throttle=2; run=2s; log=pulled at last|ran fine",
                    List.of("train", "--epochs", "1"),
                    0,
                    TaskState.SUCCEEDED),
            new Sample("bad-image", "pull-fail", List.of("never-runs"), 0, TaskState.FAILED),
            new Sample("flaky-retried", "run=1s; exit=1; log=flaky failure", List.of("flaky"), 1, TaskState.FAILED));

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        TestGround.RunningGround ground = TestGroundCommand.ensureRunning(TestGround.defaultDetachedStateDir());
        Config config = Config.fromKubeconfig(null, ground.kubeconfig().toFile());
        String ns =
                "drover-demo-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        String storeUrl = store != null
                ? store
                : "jdbc:h2:file:" + ground.stateDir().resolve("tasks")
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE";
        Map<String, Object> result = new LinkedHashMap<>();
        boolean asExpected = true;
        try (KubernetesClient client =
                        new KubernetesClientBuilder().withConfig(config).build();
                KubeApi api = KubeApi.builder(config).build();
                TaskStore tasks = TaskStores.fromUrl(storeUrl)) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            say("namespace %s on %s; task store %s", ns, ground.masterUrl(), storeUrl);
            try (NodeSimulator sim = NodeSimulator.builder(client)
                            .nodes(2)
                            .nodeNamePrefix(ns + "-node-")
                            .namespaces(ns)
                            .fidelity(Fidelity.FULL)
                            .build()
                            .start();
                    Informer<EventView> events = Informer.events(api)
                            .namespaces(ns)
                            .listener(d -> onEvent(d, t0))
                            .build()
                            .start();
                    Drover drover = Drover.builder(config, tasks)
                            .schedulerId(ns)
                            .tick(Duration.ofMillis(100))
                            .build()
                            .start()) {
                events.awaitSynced(Duration.ofSeconds(30));
                Map<Sample, TaskHandle> handles = new LinkedHashMap<>();
                for (Sample s : SAMPLES) {
                    TaskHandle h = drover.submit(TaskSpec.builder(s.name())
                            .namespace(ns)
                            .image("registry.example/drover/" + s.name() + ":1")
                            .command(s.command())
                            .annotation(NodeSimulator.BEHAVIOR_ANNOTATION, s.behavior())
                            .retries(s.retries(), Duration.ofSeconds(1))
                            .cleanup(CleanupPolicy.NEVER)
                            .build());
                    h.onStateChange(t ->
                            say(t0, "task  %-20s %-12s %s", s.name(), t.state(), t.reason() == null ? "" : t.reason()));
                    handles.put(s, h);
                }
                long deadline =
                        System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
                for (Map.Entry<Sample, TaskHandle> e : handles.entrySet()) {
                    Sample s = e.getKey();
                    long left = Math.max(1, deadline - System.nanoTime());
                    Task done;
                    try {
                        done = e.getValue().result().get(left, TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException te) {
                        done = tasks.get(e.getValue().id()).orElseThrow();
                    }
                    asExpected &= done.state() == s.expected();
                    // Logs come through the apiserver from the simulated kubelet: fetch them while it runs.
                    String log = "";
                    if (done.podName() != null && !"bad-image".equals(s.name())) {
                        log = client.pods()
                                .inNamespace(ns)
                                .withName(done.podName())
                                .inContainer("main")
                                .getLog();
                    }
                    if (output == OutputFormat.text) {
                        System.out.printf(
                                "%n--- %s: %s after %d try(s) (expected %s)%s%n%s",
                                s.name(),
                                done.state(),
                                done.tryNumber(),
                                s.expected(),
                                done.failure() == null
                                        ? ""
                                        : "\n    failure: " + done.failure().summary(),
                                log.isEmpty()
                                        ? ""
                                        : log.lines()
                                                .map(l -> "    log: " + l + "\n")
                                                .reduce("", String::concat));
                    }
                    result.put(
                            s.name(),
                            Map.of(
                                    "id",
                                    done.id(),
                                    "state",
                                    done.state(),
                                    "tries",
                                    done.tryNumber(),
                                    "expected",
                                    s.expected(),
                                    "failure",
                                    done.failure() == null ? "" : done.failure().summary(),
                                    "log",
                                    log));
                }
            }
            String hint = "export KUBECONFIG=" + ground.kubeconfig() + "; kubectl -n " + ns + " get pods,events";
            if (output == OutputFormat.json) {
                System.out.println(TaskView.toJson(Map.of(
                        "namespace",
                        ns,
                        "tasks",
                        result,
                        "asExpected",
                        asExpected,
                        "kubeconfig",
                        ground.kubeconfig().toString(),
                        "store",
                        storeUrl)));
            } else {
                System.out.printf("%nEvery task ended as expected: %s%n", asExpected ? "yes" : "NO");
                System.out.printf(
                        "The test ground keeps running. Look around with kubectl (apt-get install kubernetes-client):%n  %s%n",
                        hint);
                System.out.printf("Tasks: bin/drover list --store '%s'%n", storeUrl);
                System.out.println("Stop the ground with: bin/drover testground stop");
            }
            return asExpected ? 0 : 1;
        }
    }

    private void onEvent(Delta<EventView> d, long t0) {
        EventView e = switch (d) {
            case Delta.Added<EventView> a -> a.object();
            case Delta.Modified<EventView> m -> m.object();
            default -> null;
        };
        if (e != null && "Pod".equals(e.involvedKind()) && !"Normal".equals(e.type())) {
            say(
                    t0,
                    "event %-20s %-8s %-12s %s%s",
                    e.involvedName(),
                    e.type(),
                    e.reason(),
                    e.message(),
                    e.count() > 1 ? " (x" + e.count() + ")" : "");
        }
    }

    private void say(String fmt, Object... args) {
        if (output == OutputFormat.text) {
            System.out.println(String.format(fmt, args));
        }
    }

    private void say(long t0, String fmt, Object... args) {
        if (output == OutputFormat.text) {
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("[%6.1fs] %s%n", s, String.format(fmt, args));
        }
    }
}
