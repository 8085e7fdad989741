package dev.drover.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * podman as it works on this kind of machine: runc (crun fails on hybrid cgroups), cgroupfs, no
 * events log, and storage of its own (nothing in /var/lib/containers), removed by {@link #close()}.
 */
final class Podman implements AutoCloseable {
    record Run(int exit, String out, String err) {
        Run ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + err + out);
            }
            return this;
        }
    }

    private final Path storage;
    private final Path runRoot;
    private final String driver;

    Podman(Path storage, String driver) throws IOException {
        this.storage = storage;
        // short: conmon's sockets live under it, and a socket path has at most 107 bytes
        this.runRoot = Files.createTempDirectory(Path.of("/tmp"), "podman-");
        this.driver = driver;
    }

    Run podman(String... args) {
        List<String> command = new ArrayList<>(List.of(
                "podman",
                "--root",
                storage.toString(),
                "--runroot",
                runRoot.toString(),
                "--storage-driver",
                driver,
                "--runtime",
                "runc",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "none"));
        command.addAll(List.of(args));
        return exec(command);
    }

    /**
     * {@code podman run --rm} with the limits runc can set here: podman's defaults for root (nofile
     * 1048576) are above this machine's hard limits, and runc then fails with "error setting rlimits".
     */
    Run run(String... args) {
        List<String> command = new ArrayList<>(runOptions());
        command.addAll(List.of(args));
        command.add(1, "--rm");
        return podman(command.toArray(String[]::new));
    }

    List<String> runOptions() {
        String nofile = exec(List.of("sh", "-c", "ulimit -Hn")).ok().out().strip();
        return List.of("run", "--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=32768:32768");
    }

    static Run exec(List<String> command) {
        try {
            Path out = Files.createTempFile("podman", ".out");
            Path err = Files.createTempFile("podman", ".err");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not end in 10 minutes");
                }
                return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        podman("rm", "--all", "--force");
        podman("rmi", "--all", "--force");
        podman("system", "reset", "--force");
        for (Path dir : List.of(storage, runRoot)) {
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }
}
