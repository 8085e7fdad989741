package dev.drover.devtools;

import dev.drover.cli.ExtraCommand;
import dev.drover.cli.KubeOptions;
import dev.drover.cli.OutputFormat;
import dev.drover.cli.StopSignals;
import dev.drover.core.Drover;
import dev.drover.core.Task;
import dev.drover.core.TaskHandle;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.testkit.TestGround;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
            "Serves the dashboard meanwhile (http://127.0.0.1:8080/ when the port is free) and prints its URL and",
            "a fresh token; at a terminal it keeps serving after the tasks end, until Ctrl-C (--serve-after).",
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

    @Option(
            names = "--serve-after",
            arity = "0..1",
            paramLabel = "true|false",
            description = "Keep serving the dashboard after the tasks end, until Ctrl-C (default: when run at a"
                    + " terminal; elsewhere the demo ends with its tasks).")
    Boolean serveAfter;

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
                        .start();
                DemoDashboard dashboard = DemoDashboard.start(drover, tasks)) {
            feed.say("namespace %s on %s; task store %s", ns, cluster.server(), storeUrl);
            // Before the tasks, so a person can watch them run; on stderr with -o json (stdout is one document).
            (output == OutputFormat.text ? System.out : System.err)
                    .printf("dashboard %s  token %s%n", dashboard.url(), dashboard.token());
            Map<DemoSamples.Sample, TaskHandle> handles = submitSamples(drover, ns, feed);
            long deadline =
                    System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            for (Map.Entry<DemoSamples.Sample, TaskHandle> e : handles.entrySet()) {
                Task done = awaitEnd(e.getValue(), tasks, deadline);
                // The log comes from the simulated kubelet through the apiserver: fetch it while the stage stands.
                String log = done.podName() != null && e.getKey().hasLog() ? stage.log(done.podName()) : "";
                report.add(e.getKey(), done, log);
            }
            String stop = kube.given()
                    ? null // not a ground of ours
                    : "bin/drover testground stop"
                            + (stateDir.equals(TestGround.defaultDetachedStateDir()) ? "" : " --state-dir " + stateDir);
            report.finish(ns, cluster.kubeconfig(), storeUrl, stop);
            if (serveAfter != null ? serveAfter : DemoDashboard.atTerminal()) {
                serveUntilStopped(
                        dashboard, drover, stage, tasks, output == OutputFormat.text ? System.out : System.err);
            } else if (output == OutputFormat.text) {
                System.out.println("The dashboard stopped with the demo (--serve-after keeps it up until Ctrl-C).");
            }
        }
        return report.asExpected() ? 0 : 1;
    }

    /** Until Ctrl-C or SIGTERM: the dashboard, the Drover and the simulated nodes stay up, so pages, Events and logs still load. */
    private static void serveUntilStopped(
            DemoDashboard dashboard, Drover drover, DemoStage stage, TaskStore tasks, PrintStream notes)
            throws InterruptedException {
        notes.printf(
                "The dashboard keeps serving at %s (token %s) until Ctrl-C.%n", dashboard.url(), dashboard.token());
        notes.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        try (StopSignals stop = StopSignals.onStop(() -> {
            dashboard.close();
            drover.close();
            stage.close();
            tasks.close();
            stopped.countDown();
        })) {
            stopped.await();
            stop.awaitStopIfStopping();
        }
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
