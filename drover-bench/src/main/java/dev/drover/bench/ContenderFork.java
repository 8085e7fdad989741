package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One contender's sync in a fresh JVM (this jar's {@code contender} command, {@link
 * ContenderCommand}), so its heap holds nothing of the runs before it; reads the JSON line it prints.
 */
final class ContenderFork {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContenderFork() {}

    static ContenderResult run(
            Contender c,
            ContenderRun.Target t,
            List<String> namespaces,
            List<String> warm,
            int pods,
            String heap,
            Duration syncTimeout)
            throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + heap,
                "-XX:+UseG1GC",
                "-cp",
                System.getProperty("java.class.path"),
                BenchCommand.class.getName(),
                "contender",
                "--kind=" + c.label,
                "--server=" + t.server(),
                "--namespaces=" + String.join(",", namespaces),
                "--warm-namespaces=" + String.join(",", warm),
                "--expect=" + pods,
                "--page-size=" + t.pageSize(),
                "--qps=" + t.qps(),
                "--burst=" + t.burst(),
                "--timeout-seconds=" + syncTimeout.toSeconds()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(ContenderCommand.TOKEN_ENV, t.token()); // not on the command line
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the child died; its exit code tells
            }
        });
        if (!p.waitFor(syncTimeout.toSeconds() + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        reader.join(5000);
        String text = out.toString(StandardCharsets.UTF_8).trim();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        if (p.exitValue() != 0 || !last.startsWith("{")) {
            return ContenderResult.failed(
                    c.label, namespaces.size(), pods, "child JVM exited " + p.exitValue() + ": " + text);
        }
        return JSON.readValue(last, ContenderResult.class);
    }
}
