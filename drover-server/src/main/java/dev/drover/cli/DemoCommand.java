package dev.drover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.kube.Delta;
import dev.drover.kube.EventView;
import dev.drover.kube.Informer;
import dev.drover.kube.KubeApi;
import dev.drover.kube.PodView;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover demo}: the test ground, the node simulator and three sample pods, followed live
 * through Drover's own list-watch engine. Later the executor takes the pods' place.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the test ground (real kube-apiserver) in the background and simulated nodes, runs three",
            "sample pods (one succeeds, one fails, one is throttled by its registry and then runs), prints",
            "their phases and Events as they change, then their logs. Exit 0 when each ended as expected."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = {"-o", "--output"},
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    @Option(names = "--timeout", description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 120;

    record Sample(String name, String behavior, List<String> command, String expectedPhase) {}

    static final List<Sample> SAMPLES = List.of(
            new Sample("hello-ok", "run=3s; log=starting|working on it|done", List.of("echo", "hello"), "Succeeded"),
            new Sample(
                    "crunch-fails",
                    "run=2s; exit=3; log=loading data|error: input file missing",
                    List.of("crunch", "--input", "/data/in.csv"),
                    "Failed"),
            new Sample(
                    "throttled-then-runs",
                    "pull-throttle=2; run=2s; log=pulled at last|ran fine",
                    List.of("train", "--epochs", "1"),
                    "Succeeded"));

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        TestGround.RunningGround ground = TestGroundCommand.ensureRunning(TestGround.defaultDetachedStateDir());
        Config config = Config.fromKubeconfig(null, ground.kubeconfig().toFile());
        String ns =
                "drover-demo-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        Map<String, String> lastSeen = new ConcurrentHashMap<>();
        Map<String, String> phases = new ConcurrentHashMap<>();
        Map<String, Object> result = new LinkedHashMap<>();
        boolean asExpected = true;
        try (KubernetesClient client =
                        new KubernetesClientBuilder().withConfig(config).build();
                KubeApi api = KubeApi.builder(config).build()) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            say("namespace %s on %s", ns, ground.masterUrl());
            try (NodeSimulator sim = NodeSimulator.builder(client)
                            .nodes(2)
                            .nodeNamePrefix(ns + "-node-")
                            .namespaces(ns)
                            .fidelity(Fidelity.FULL)
                            .build()
                            .start();
                    Informer<PodView> pods = Informer.pods(api)
                            .namespaces(ns)
                            .listener(d -> onPod(d, t0, lastSeen, phases))
                            .build()
                            .start();
                    Informer<EventView> events = Informer.events(api)
                            .namespaces(ns)
                            .listener(d -> onEvent(d, t0))
                            .build()
                            .start()) {
                pods.awaitSynced(Duration.ofSeconds(30));
                events.awaitSynced(Duration.ofSeconds(30));
                for (Sample s : SAMPLES) {
                    client.pods().inNamespace(ns).resource(pod(s)).create();
                    say("created pod %s (sim.drover.dev/behavior: %s)", s.name(), s.behavior());
                }
                long deadline =
                        System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
                while (!allTerminal(phases) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                // Logs come through the apiserver from the simulated kubelet: fetch them while it runs.
                for (Sample s : SAMPLES) {
                    String phase = phases.getOrDefault(s.name(), "Unknown");
                    asExpected &= phase.equals(s.expectedPhase());
                    String log = client.pods()
                            .inNamespace(ns)
                            .withName(s.name())
                            .inContainer("main")
                            .getLog();
                    if (output == OutputFormat.text) {
                        System.out.printf(
                                "%n--- %s: %s (expected %s); log via the apiserver:%n%s",
                                s.name(), phase, s.expectedPhase(), log.isEmpty() ? "(empty)\n" : log);
                    }
                    result.put(s.name(), Map.of("phase", phase, "expected", s.expectedPhase(), "log", log));
                }
            }
            String hint = "export KUBECONFIG=" + ground.kubeconfig() + "; kubectl -n " + ns + " get pods,events";
            if (output == OutputFormat.json) {
                System.out.println(new ObjectMapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Map.of(
                                "namespace",
                                ns,
                                "pods",
                                result,
                                "asExpected",
                                asExpected,
                                "kubeconfig",
                                ground.kubeconfig().toString())));
            } else {
                System.out.printf("%nAll three ended as expected: %s%n", asExpected ? "yes" : "NO");
                System.out.printf(
                        "The test ground keeps running. Look around with kubectl (apt-get install kubernetes-client):%n  %s%n",
                        hint);
                System.out.println("Stop it with: bin/drover testground stop");
            }
            return asExpected ? 0 : 1;
        }
    }

    private void onPod(Delta<PodView> d, long t0, Map<String, String> lastSeen, Map<String, String> phases) {
        PodView p = switch (d) {
            case Delta.Added<PodView> a -> a.object();
            case Delta.Modified<PodView> m -> m.object();
            default -> null;
        };
        if (p == null) {
            return;
        }
        String waiting = p.containers().stream()
                .filter(c -> "waiting".equals(c.state()) && c.reason() != null)
                .map(c -> c.reason())
                .findFirst()
                .orElse("");
        String exit = p.containers().stream()
                .filter(c -> c.exitCode() != null)
                .map(c -> "exit " + c.exitCode() + " " + c.reason())
                .findFirst()
                .orElse("");
        String line =
                p.phase() + (waiting.isEmpty() ? "" : " (" + waiting + ")") + (exit.isEmpty() ? "" : " (" + exit + ")");
        phases.put(p.name(), p.phase() == null ? "Pending" : p.phase());
        if (!line.equals(lastSeen.put(p.name(), line))) {
            say(t0, "pod   %-20s %s", p.name(), line);
        }
    }

    private void onEvent(Delta<EventView> d, long t0) {
        EventView e = switch (d) {
            case Delta.Added<EventView> a -> a.object();
            case Delta.Modified<EventView> m -> m.object();
            default -> null;
        };
        if (e != null && "Pod".equals(e.involvedKind())) {
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

    private static boolean allTerminal(Map<String, String> phases) {
        return SAMPLES.stream().allMatch(s -> {
            String p = phases.get(s.name());
            return "Succeeded".equals(p) || "Failed".equals(p);
        });
    }

    private static Pod pod(Sample s) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(s.name())
                .addToLabels("app", "drover-demo")
                .addToAnnotations(NodeSimulator.BEHAVIOR_ANNOTATION, s.behavior())
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("main")
                .withImage("registry.example/drover/" + s.name() + ":1")
                .withCommand(s.command())
                .endContainer()
                .endSpec()
                .build();
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
