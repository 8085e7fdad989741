package dev.drover.devtools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.cli.ExtraCommand;
import dev.drover.cli.OutputFormat;
import dev.drover.testkit.TestGround;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code drover testground start|stop|status}: a real kube-apiserver on this machine, by hand. */
@Command(
        name = "testground",
        mixinStandardHelpOptions = true,
        header = "Starts, stops or shows the local test ground (etcd + kube-apiserver v1.20.2).",
        subcommands = {TestGroundCommand.Start.class, TestGroundCommand.Stop.class, TestGroundCommand.Status.class})
public final class TestGroundCommand implements Runnable, ExtraCommand {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--state-dir", description = "Where the ground keeps its files (default: ${DEFAULT-VALUE}).")
        Path stateDir = TestGround.defaultDetachedStateDir();

        @Option(
                names = {"-o", "--output"},
                description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output = OutputFormat.text;

        int print(Map<String, Object> fields, String text) throws Exception {
            if (output == OutputFormat.json) {
                System.out.println(new ObjectMapper().writeValueAsString(fields));
            } else {
                System.out.println(text);
            }
            return 0;
        }
    }

    @Command(
            name = "start",
            header = "Starts the ground in the background (reuses a running one) and prints its kubeconfig path.")
    static final class Start extends Base {
        @Override
        public Integer call() throws Exception {
            TestGround.RunningGround ground = ensureRunning(stateDir);
            return print(
                    describe(ground),
                    "kubeconfig: " + ground.kubeconfig() + "\n" + KubectlHint.pointAt(ground.kubeconfig()));
        }
    }

    @Command(name = "stop", header = "Stops the background ground and removes its etcd data.")
    static final class Stop extends Base {
        @Override
        public Integer call() throws Exception {
            boolean wasRunning = TestGround.stopDetached(stateDir);
            return print(
                    Map.of("stopped", wasRunning), wasRunning ? "test ground stopped" : "no test ground was running");
        }
    }

    @Command(
            name = "status",
            header = "Tells whether the ground runs, and where its kubeconfig is. Exit 3 when it does not run.")
    static final class Status extends Base {
        @Override
        public Integer call() throws Exception {
            Optional<TestGround.RunningGround> found = TestGround.findDetached(stateDir);
            boolean ready = found.map(TestGround.RunningGround::isReady).orElse(false);
            if (!ready) {
                print(Map.of("running", false), "test ground: not running (start it with: drover testground start)");
                return 3;
            }
            TestGround.RunningGround g = found.get();
            return print(
                    describe(g),
                    "test ground: running at " + g.masterUrl() + "\nkubeconfig: " + g.kubeconfig() + "\n"
                            + KubectlHint.pointAt(g.kubeconfig()));
        }
    }

    /** Returns the running detached ground in {@code stateDir}, starting one if none answers. */
    static TestGround.RunningGround ensureRunning(Path stateDir) {
        Optional<TestGround.RunningGround> found = TestGround.findDetached(stateDir);
        if (found.isPresent() && found.get().isReady()) {
            return found.get();
        }
        TestGround.stopDetached(stateDir); // a half-dead earlier one
        System.err.println("starting the test ground (etcd + kube-apiserver) in " + stateDir + " ...");
        TestGround.builder()
                .detached(true)
                .stateDir(stateDir)
                .auditLog(true)
                .build()
                .start();
        return TestGround.findDetached(stateDir).orElseThrow();
    }

    private static Map<String, Object> describe(TestGround.RunningGround g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", true);
        m.put("server", g.masterUrl());
        m.put("kubeconfig", g.kubeconfig().toString());
        return m;
    }
}
