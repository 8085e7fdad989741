package dev.drover.devtools;

import dev.drover.cli.ExtraCommand;
import dev.drover.cli.KubeOptions;
import dev.drover.cli.ShutdownWait;
import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.sim.SimStats;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover sim}: simulated nodes (scheduler + kubelet API side) for an apiserver without kubelets. */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        header = "Runs simulated nodes against an apiserver until interrupted (Ctrl-C, SIGTERM).",
        description = {
            "Binds pending pods, walks them through kubelet-like states, writes Events, serves logs; deletes",
            "its nodes when stopped. Per-pod behaviour: the annotation sim.drover.dev/behavior (see",
            "drover-sim/README.md). Default cluster: the running test ground."
        })
public final class SimCommand implements Callable<Integer>, ExtraCommand {
    @Mixin
    KubeOptions kube = new KubeOptions();

    @Option(names = "--nodes", description = "How many nodes (default: ${DEFAULT-VALUE}).")
    int nodes = 3;

    @Option(names = "--lean", description = "Fewest writes (bind, running, terminated; no Events) for scale runs.")
    boolean lean;

    @Option(
            names = {"-n", "--namespace"},
            split = ",",
            description = "Only these namespaces (default: all).")
    List<String> namespaces = List.of();

    @Option(names = "--node-prefix", description = "Node name prefix (default: ${DEFAULT-VALUE}).")
    String prefix = "drover-sim-";

    @Override
    public Integer call() throws Exception {
        io.fabric8.kubernetes.client.Config config = kube.resolve().config();
        // Installed before the nodes exist: a stop during start-up still waits for their deletion.
        ShutdownWait stop = ShutdownWait.install(Duration.ofSeconds(30));
        try (KubernetesClient client =
                        new KubernetesClientBuilder().withConfig(config).build();
                NodeSimulator sim = NodeSimulator.builder(client)
                        .nodes(nodes)
                        .nodeNamePrefix(prefix)
                        .namespaces(namespaces)
                        .fidelity(lean ? Fidelity.LEAN : Fidelity.FULL)
                        .build()
                        .start()) {
            System.err.printf(
                    "simulating %d node(s) %s against %s (kubelet port %d); Ctrl-C stops%n",
                    nodes, sim.nodeNames(), client.getMasterUrl(), sim.kubeletPort());
            while (!stop.awaitStop(Duration.ofSeconds(10))) {
                SimStats s = sim.stats();
                System.err.printf(
                        "bound %d, started %d, finished %d, deleted %d, writes %d%n",
                        s.podsBound(), s.podsStarted(), s.podsFinished(), s.podsDeleted(), s.totalWrites());
            }
            System.err.println("stopping: deleting the simulated nodes");
        } finally {
            stop.closed();
        }
        return 0;
    }
}
