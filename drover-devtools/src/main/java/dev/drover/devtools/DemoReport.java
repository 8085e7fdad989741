package dev.drover.devtools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drover.cli.OutputFormat;
import dev.drover.core.Task;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The demo's results: each task's end, failure and log as it comes, then the verdict and where to look next. */
final class DemoReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final OutputFormat output;
    private final PrintStream out;
    private final Map<String, Object> tasks = new LinkedHashMap<>();
    private boolean asExpected = true;

    DemoReport(OutputFormat output, PrintStream out) {
        this.output = output;
        this.out = out;
    }

    void add(DemoSamples.Sample s, Task done, String log) {
        asExpected &= done.state() == s.expected();
        String failure = done.failure() == null ? "" : done.failure().summary();
        tasks.put(
                s.name(),
                Map.of(
                        "id", done.id(),
                        "state", done.state(),
                        "tries", done.tryNumber(),
                        "expected", s.expected(),
                        "failure", failure,
                        "log", log));
        if (output == OutputFormat.text) {
            out.printf(
                    "%n--- %s: %s after %d try(s) (expected %s)%n",
                    s.name(), done.state(), done.tryNumber(), s.expected());
            if (!failure.isEmpty()) {
                out.println("    failure: " + failure);
            }
            log.lines().forEach(l -> out.println("    log: " + l));
        }
    }

    boolean asExpected() {
        return asExpected;
    }

    /** The verdict, and how to look around (kubectl, drover list) and stop the ground (null: none of ours). */
    void finish(String namespace, Path kubeconfig, String storeUrl, String stopCommand) throws Exception {
        if (output == OutputFormat.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", namespace);
            m.put("tasks", tasks);
            m.put("asExpected", asExpected);
            m.put("kubeconfig", kubeconfig == null ? null : kubeconfig.toString());
            m.put("store", storeUrl);
            out.println(JSON.writeValueAsString(m));
            return;
        }
        out.printf("%nEvery task ended as expected: %s%n", asExpected ? "yes" : "NO");
        if (kubeconfig != null) {
            boolean kubectl = KubectlHint.onPath("kubectl", System.getenv("PATH"));
            out.printf(
                    "%sLook around with kubectl%s:%n  export KUBECONFIG=%s; kubectl -n %s get pods,events%n",
                    stopCommand != null ? "The test ground keeps running. " : "",
                    kubectl ? "" : " " + KubectlHint.INSTALL,
                    kubeconfig,
                    namespace);
        }
        out.printf("Tasks: bin/drover list --store '%s'%n", storeUrl);
        if (stopCommand != null) {
            out.println("Stop the ground with: " + stopCommand);
        }
    }
}
