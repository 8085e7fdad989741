package dev.drover.bench;

import dev.drover.testkit.TestGround;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * CPU time over a phase: of the ground's kube-apiserver and etcd processes (found by their command
 * lines) and of this JVM (all threads, GC and JIT included). What a phase costs the machine, as the
 * "CPU per pod" table shows it.
 */
final class CpuMeter {
    /** Totals at one moment; the servers' NaN where their process was not found. */
    record Reading(double apiServerSeconds, double etcdSeconds, long jvmNanos) {}

    /** What was used between two readings. */
    record Usage(double apiServerSeconds, double etcdSeconds, double jvmSeconds) {
        /** Milliseconds per pod of each, for the CPU per pod table. */
        double apiServerMsPer(long pods) {
            return apiServerSeconds * 1000 / pods;
        }

        double etcdMsPer(long pods) {
            return etcdSeconds * 1000 / pods;
        }

        double jvmMsPer(long pods) {
            return jvmSeconds * 1000 / pods;
        }
    }

    private final Optional<ProcessHandle> apiServer;
    private final Optional<ProcessHandle> etcd;

    private CpuMeter(Optional<ProcessHandle> apiServer, Optional<ProcessHandle> etcd) {
        this.apiServer = apiServer;
        this.etcd = etcd;
    }

    static CpuMeter of(TestGround ground) {
        String certDir = "--cert-dir=" + ground.stateDir().resolve("certs");
        Optional<ProcessHandle> api = find("kube-apiserver", a -> a.contains(certDir));
        String etcdUrl = api.flatMap(p -> p.info().arguments())
                .flatMap(args -> Arrays.stream(args)
                        .filter(x -> x.startsWith("--etcd-servers="))
                        .map(x -> x.substring("--etcd-servers=".length()))
                        .findFirst())
                .orElse(null);
        Optional<ProcessHandle> etcd =
                etcdUrl == null ? Optional.empty() : find("etcd", a -> a.contains("--listen-client-urls=" + etcdUrl));
        return new CpuMeter(api, etcd);
    }

    /** The process whose executable is named {@code executable} (not the watchdog shell naming it). */
    private static Optional<ProcessHandle> find(String executable, Predicate<String> args) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/" + executable))
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> args.test(String.join(" ", a)))
                        .orElse(false))
                .findFirst();
    }

    Reading read() {
        return new Reading(seconds(apiServer), seconds(etcd), processCpuNanos());
    }

    /** From {@code before} to now. */
    Usage since(Reading before) {
        Reading now = read();
        return new Usage(
                now.apiServerSeconds() - before.apiServerSeconds(),
                now.etcdSeconds() - before.etcdSeconds(),
                (now.jvmNanos() - before.jvmNanos()) / 1e9);
    }

    private static double seconds(Optional<ProcessHandle> p) {
        long nanos = p.flatMap(h -> h.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(-1L);
        return nanos < 0 ? Double.NaN : nanos / 1e9;
    }

    /** This JVM's process CPU time, 0 where the platform does not tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    /**
     * CPU of this JVM's platform threads by name with the digits blanked out ({@code
     * ForkJoinPool-#-worker-#} carries every virtual thread: the launches, the pod tracker's worker).
     */
    static Map<String, Long> threadCpuByGroup() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                out.merge(info.getThreadName().replaceAll("\\d+", "#"), cpu, Long::sum);
            }
        }
        return out;
    }

    /** The groups that used the most CPU in between, in seconds, largest first (at most 15). */
    static Map<String, Double> threadCpuDelta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9))
                .filter(e -> e.getValue() > 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return out;
    }
}
