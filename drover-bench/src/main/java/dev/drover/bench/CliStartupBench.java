package dev.drover.bench;

import dev.drover.core.TaskSpec;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drover-bench cli-startup}: what one CLI command costs, as bin/drover runs it. {@code status},
 * {@code list} and {@code submit} run N times each as child processes on an H2 file store holding a
 * few hundred tasks: the java command bin/drover would exec (asked with {@code DROVER_LAUNCH=print}),
 * without and with its start-up cache, and bin/drover itself; beside them the floor, a bare {@code
 * java -version} of the same JDK. Wall time and CPU time (user + system of the child, from this
 * process's cutime/cstime) per command, medians.
 */
@Command(
        name = "cli-startup",
        mixinStandardHelpOptions = true,
        description = {
            "Runs status, list and submit N times each as child processes the way bin/drover runs them (without",
            "and with its start-up cache, and through bin/drover itself), and java -version as the floor; wall",
            "and CPU ms per command (medians). --compare LABEL=CMD adds another launcher, e.g. an older jar."
        })
final class CliStartupBench implements Callable<Integer> {
    private static final List<String> COMMANDS = List.of("status", "list", "submit");

    @Option(
            names = "--runs",
            defaultValue = "10",
            description = "Runs per command and launcher (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--root", description = "The source checkout with bin/drover (default: found from here up).")
    Path root;

    @Option(
            names = "--compare",
            paramLabel = "LABEL=COMMAND",
            description = "Another launcher to measure, e.g. before='java -jar /tmp/drover-old.jar' (repeatable).")
    Map<String, String> compare = new LinkedHashMap<>();

    @Option(
            names = "--tasks",
            defaultValue = "300",
            description = "Tasks in the store before the runs (default ${DEFAULT-VALUE}).")
    int tasks;

    @Mixin
    OutputOptions out = new OutputOptions();

    record Launcher(String label, List<String> prefix) {}

    record Result(String command, String launcher, int runs, double wallMs, double cpuMs) {}

    @Override
    public Integer call() throws Exception {
        int n = out.smoke ? 2 : runs;
        Progress progress = Progress.stderr();
        Path checkout = root != null ? root : findRoot();
        Path bin = checkout.resolve("bin/drover");
        Path dir = Files.createTempDirectory("drover-cli-startup");
        String store = "jdbc:h2:file:" + dir.resolve("drover");
        seed(dir.resolve("drover"), out.smoke ? 20 : tasks);
        progress.say("asking bin/drover how it runs the CLI (it builds the jars and the cache when they are stale)");
        List<Launcher> launchers = new ArrayList<>();
        launchers.add(new Launcher("java, no cache", launch(bin, "0")));
        launchers.add(new Launcher("java + start-up cache", launch(bin, "1")));
        launchers.add(new Launcher("bin/drover", List.of(bin.toString())));
        compare.forEach((label, cmd) -> launchers.add(new Launcher(label, List.of("sh", "-c", cmd + " \"$@\"", "sh"))));
        String java = launchers.getFirst().prefix().getFirst();
        List<Result> results = new ArrayList<>();
        for (String command : COMMANDS) {
            for (Launcher l : launchers) {
                progress.say("%s via %s: %d runs", command, l.label(), n);
                results.add(measure(command, l, args(command, store), n));
            }
        }
        Result floor = measure("java -version", new Launcher("limit", List.of(java)), List.of("-version"), n);
        results.add(floor);
        report(results, floor, n, java);
        deleteTree(dir);
        return 0;
    }

    private static List<String> args(String command, String store) {
        return switch (command) {
            case "submit" ->
                List.of("submit", "--store", store, "--cluster", "bench", "busybox:1.36", "--", "echo", "hi");
            default -> List.of(command, "--store", store);
        };
    }

    /** The java command line bin/drover would exec, with its start-up cache on or off. */
    private static List<String> launch(Path bin, String aot) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("DROVER_LAUNCH", "print");
        pb.environment().put("DROVER_AOT", aot);
        Process p = pb.start();
        String printed = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0 || printed.isBlank()) {
            throw new IllegalStateException(bin + " with DROVER_LAUNCH=print failed: " + printed);
        }
        return printed.lines().toList();
    }

    private static Result measure(String command, Launcher l, List<String> args, int n) throws Exception {
        List<String> cmd = new ArrayList<>(l.prefix());
        cmd.addAll(args);
        run(cmd); // warm-up: page cache, a cache made on first use
        double[] wall = new double[n];
        double[] cpu = new double[n];
        for (int i = 0; i < n; i++) {
            long cpu0 = childrenCpuMs();
            long t0 = System.nanoTime();
            run(cmd);
            wall[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = childrenCpuMs() - cpu0;
        }
        return new Result(command, l.label(), n, median(wall), median(cpu));
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("did not end in 120 s: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd);
        }
    }

    /** CPU of this process's children that have been waited for (user + system), from /proc/self/stat. */
    private static long childrenCpuMs() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state is field 3, cutime 16 and cstime 17 (1-based) -> indexes 13 and 14
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 1000 / CLOCK_TICKS;
    }

    private static final long CLOCK_TICKS = clockTicks();

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String s = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return Long.parseLong(s);
        } catch (Exception e) {
            return 100;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void seed(Path file, int n) {
        try (TaskStore s = TaskStores.h2(file)) {
            java.util.LinkedHashMap<String, TaskSpec> specs = new java.util.LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                specs.put(
                        "seed-" + i,
                        TaskSpec.builder("seed-" + i).image("busybox:1.36").build());
            }
            s.insertAll(specs, java.time.Instant.now());
        }
    }

    private void report(List<Result> results, Result floor, int n, String java) throws Exception {
        Table t = new Table(
                String.format(
                        "CLI start-up: medians of %d runs each, H2 file store; %s; load average %.1f",
                        n, java, ExecutorStats.loadAverage()),
                "command",
                "launcher",
                "wall ms",
                "CPU ms",
                "wall × limit",
                "CPU × limit");
        for (Result r : results) {
            t.row(
                    r.command(),
                    r.launcher(),
                    Table.num(r.wallMs(), 0),
                    Table.num(r.cpuMs(), 0),
                    Table.ratio(r.wallMs() / floor.wallMs()),
                    Table.ratio(r.cpuMs() / Math.max(1, floor.cpuMs())));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("java", java);
        report.put("results", results);
        report.put("loadAverage1m", ExecutorStats.loadAverage());
        out.print(report, t.render());
    }

    /** The checkout with bin/drover: above the working directory, or above this jar (drover-bench/target). */
    private static Path findRoot() throws Exception {
        Path jar = Path.of(CliStartupBench.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        for (Path start : List.of(Path.of("").toAbsolutePath(), jar)) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("bin/drover"))) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("no bin/drover above here or above " + jar + "; pass --root CHECKOUT");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
