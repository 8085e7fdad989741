package dev.drover.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server process of the test ground (etcd, kube-apiserver) that never outlives its owner.
 *
 * <p>Attached processes run under a small shell watchdog that kills them within a second of the
 * owning JVM's death, even on SIGKILL where no shutdown hook runs. Every process also leaves a pid
 * file in the run directory, so the next start reaps anything a crashed owner left behind.
 * Detached processes (for {@code drover testground start}) outlive the JVM on purpose and are found
 * again through the same pid files.
 */
final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

    // $1 = pid file, $2 = owner pid, then the command. The child's pid (not the shell's) goes to the file.
    // SIGCONT after SIGTERM: a frozen (SIGSTOPped) server would hold the TERM pending forever.
    private static final String WATCHDOG = "pidfile=$1; owner=$2; shift 2; "
            + "\"$@\" & c=$!; echo \"$c $owner\" > \"$pidfile\"; "
            + "trap 'kill $c 2>/dev/null; kill -CONT $c 2>/dev/null; wait $c; rm -f \"$pidfile\"; exit 0' TERM INT HUP; "
            + "while kill -0 \"$owner\" 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1; done; "
            + "kill $c 2>/dev/null; kill -CONT $c 2>/dev/null; wait $c; rm -f \"$pidfile\"";

    private final String name;
    private final Process process;
    private final Path pidFile;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path pidFile, Path logFile) {
        this.name = name;
        this.process = process;
        this.pidFile = pidFile;
        this.logFile = logFile;
    }

    static ChildProcess start(String name, List<String> command, Path runDir, Path logFile, boolean detached)
            throws IOException {
        Files.createDirectories(runDir);
        Path pidFile = runDir.resolve(name + ".pid");
        List<String> argv = new ArrayList<>();
        if (detached) {
            // setsid: leave the caller's session so closing the terminal does not stop the ground.
            argv.addAll(List.of("setsid", "bash", "-c", "echo \"$$ 0\" > \"$0\"; exec \"$@\"", pidFile.toString()));
        } else {
            argv.addAll(List.of("bash", "-c", WATCHDOG, "drover-watchdog", pidFile.toString()));
            argv.add(Long.toString(ProcessHandle.current().pid()));
        }
        argv.addAll(command);
        Process p = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        log.debug("started {} (log {}): {}", name, logFile, command);
        return new ChildProcess(name, p, pidFile, logFile);
    }

    String name() {
        return name;
    }

    Path logFile() {
        return logFile;
    }

    boolean isAlive() {
        return serverPid()
                .flatMap(ProcessHandle::of)
                .map(ProcessHandle::isAlive)
                .orElse(process.isAlive());
    }

    /** The server's own pid, once the launcher wrote it. */
    Optional<Long> serverPid() {
        return readPid(pidFile);
    }

    /**
     * Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to the server; the JDK can only send
     * TERM and KILL itself.
     */
    void signal(String signal) {
        long pid =
                serverPid().orElseThrow(() -> new IllegalStateException(name + " has no pid file yet; is it running?"));
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " (" + name + ") failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + signal + " to " + name, e);
        }
    }

    /** Stops the server: SIGTERM, then SIGKILL after the grace period. */
    void stop(Duration grace) {
        Optional<ProcessHandle> server = serverPid().flatMap(ProcessHandle::of);
        server.ifPresent(ProcessHandle::destroy);
        // A frozen server would keep the TERM pending until it runs again.
        server.ifPresent(h -> continueQuietly(h.pid()));
        process.destroy();
        try {
            long deadline = System.nanoTime() + grace.toNanos();
            if (server.isPresent()) {
                server.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // fall through to the forced kill
        }
        server.filter(ProcessHandle::isAlive).ifPresent(h -> {
            log.warn("{} did not stop within {}; killing it", name, grace);
            h.destroyForcibly();
        });
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file is reaped on the next start
        }
    }

    /**
     * Kills servers whose owner is gone: attached ones whose owner JVM died, and (when {@code
     * includeDetached}) detached ones. Returns how many were killed.
     */
    static int reapOrphans(Path runDir, boolean includeDetached) {
        if (!Files.isDirectory(runDir)) {
            return 0;
        }
        int killed = 0;
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                Optional<long[]> entry = readEntry(f);
                if (entry.isEmpty()) {
                    Files.deleteIfExists(f);
                    continue;
                }
                long pid = entry.get()[0];
                long owner = entry.get()[1];
                boolean ownerAlive = owner != 0
                        && ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
                boolean orphan = owner == 0 ? includeDetached : !ownerAlive;
                if (!orphan) {
                    continue;
                }
                Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
                if (h.isPresent() && looksLikeOurs(h.get())) {
                    log.info("reaping leftover test-ground process {} ({})", pid, f.getFileName());
                    h.get().destroy();
                    continueQuietly(pid); // in case its owner died while it was frozen
                    try {
                        h.get().onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.get().destroyForcibly();
                    }
                    killed++;
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            log.warn("could not reap leftover processes in {}: {}", runDir, e.toString());
        }
        return killed;
    }

    private static void continueQuietly(long pid) {
        try {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            log.debug("kill -CONT {} failed: {}", pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean looksLikeOurs(ProcessHandle h) {
        // Guards against pid reuse: only etcd and kube-apiserver are ever started here.
        String cmd = h.info().command().orElse("");
        return cmd.endsWith("etcd") || cmd.endsWith("kube-apiserver");
    }

    static Optional<Long> readPid(Path pidFile) {
        return readEntry(pidFile).map(e -> e[0]);
    }

    private static Optional<long[]> readEntry(Path pidFile) {
        try {
            String[] parts = Files.readString(pidFile).trim().split("\\s+");
            return Optional.of(new long[] {Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
