package dev.drover.cli;

import dev.drover.sim.Fidelity;
import dev.drover.sim.NodeSimulator;
import dev.drover.sim.SimStats;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover sim}: simulated nodes (scheduler + kubelet API side) for an apiserver without kubelets. */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description = {
            "Runs simulated nodes against an apiserver until interrupted: binds pending pods, walks them",
            "through kubelet-like states, writes Events, serves logs. Per-pod behaviour: the annotation",
            "sim.drover.dev/behavior (see drover-sim/README.md). Default cluster: the running test ground."
        })
final class SimCommand implements Callable<Integer> {
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
        CountDownLatch stop = new CountDownLatch(1);
        try (KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(kube.config(true))
                        .build();
                NodeSimulator sim = NodeSimulator.builder(client)
                        .nodes(nodes)
                        .nodeNamePrefix(prefix)
                        .namespaces(namespaces)
                        .fidelity(lean ? Fidelity.LEAN : Fidelity.FULL)
                        .build()
                        .start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            System.err.printf(
                    "simulating %d node(s) %s against %s (kubelet port %d); Ctrl-C stops%n",
                    nodes, sim.nodeNames(), client.getMasterUrl(), sim.kubeletPort());
            while (!stop.await(10, TimeUnit.SECONDS)) {
                SimStats s = sim.stats();
                System.err.printf(
                        "bound %d, started %d, finished %d, deleted %d, writes %d%n",
                        s.podsBound(), s.podsStarted(), s.podsFinished(), s.podsDeleted(), s.totalWrites());
            }
        }
        return 0;
    }
}
