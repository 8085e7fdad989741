package dev.drover.devtools;

import dev.drover.cli.ExtraCommand;
import dev.drover.cli.KubeOptions;
import dev.drover.cli.OutputFormat;
import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.testkit.TestGround;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drover demo}: the test ground, the node simulator and a batch of tasks run by Drover's
 * executor, followed live.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Runs a batch of sample tasks on the test ground and simulated nodes, followed live.",
        description = {
            "Starts the test ground (a real kube-apiserver) in the background and simulated nodes, then runs a",
            "batch of tasks through Drover's executor: some succeed, one fails with an exit code, one is",
            "throttled by its registry and then runs, one has an image that does not exist (fails after a 30 s grace),",
            "one fails and is retried. Prints task states and pod Events as they happen, then the results.",
            "Exit 0 when every task ended as expected."
        })
public final class DemoCommand implements Callable<Integer>, ExtraCommand {
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

    @Option(names = "--state-dir", description = "The test ground's directory (default: ${DEFAULT-VALUE}).")
    Path stateDir = TestGround.defaultDetachedStateDir();

    /** Given: run on that cluster instead of the test ground (the demo brings its own simulated nodes). */
    @Mixin
    KubeOptions kube = new KubeOptions();

    @Override
    public Integer call() throws Exception {
        DemoFeed feed = new DemoFeed(output == OutputFormat.text, System.out);
        DemoCluster cluster =
                kube.given() ? DemoCluster.of(kube.resolve(), stateDir) : DemoCluster.testGround(stateDir);
        String ns =
                "drover-demo-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        String storeUrl = store != null ? store : cluster.defaultStore();
        DemoReport report = new DemoReport(output, System.out);
        try (TaskStore tasks = TaskStores.fromUrl(storeUrl);
                DemoStage stage = DemoStage.open(cluster.config(), ns, feed);
                Drover drover = Drover.builder(cluster.config(), tasks)
                        .schedulerId(ns)
                        .tick(Duration.ofMillis(100))
                        .build()
                        .start()) {
            feed.say("namespace %s on %s; task store %s", ns, cluster.server(), storeUrl);
            Map<DemoSamples.Sample, TaskHandle> handles = submitSamples(drover, ns, feed);
            long deadline =
                    System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            for (Map.Entry<DemoSamples.Sample, TaskHandle> e : handles.entrySet()) {
                Task done = awaitEnd(e.getValue(), tasks, deadline);
                // The log comes from the simulated kubelet through the apiserver: fetch it while the stage stands.
                String log = done.podName() != null && e.getKey().hasLog() ? stage.log(done.podName()) : "";
                report.add(e.getKey(), done, log);
            }
        }
        String stop = kube.given()
                ? null // not a ground of ours
                : "bin/drover testground stop"
                        + (stateDir.equals(TestGround.defaultDetachedStateDir()) ? "" : " --state-dir " + stateDir);
        report.finish(ns, cluster.kubeconfig(), storeUrl, stop);
        return report.asExpected() ? 0 : 1;
    }

    private static Map<DemoSamples.Sample, TaskHandle> submitSamples(Drover drover, String ns, DemoFeed feed) {
        Map<DemoSamples.Sample, TaskHandle> handles = new LinkedHashMap<>();
        for (DemoSamples.Sample s : DemoSamples.ALL) {
            TaskHandle h = drover.submit(s.spec(ns));
            h.onStateChange(t -> feed.taskChanged(s.name(), t));
            handles.put(s, h);
        }
        return handles;
    }

    /** The task at its end, or as it stands at the deadline. */
    private static Task awaitEnd(TaskHandle h, TaskStore tasks, long deadline) throws InterruptedException {
        try {
            return h.result().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return tasks.get(h.id()).orElseThrow();
        }
    }
}
