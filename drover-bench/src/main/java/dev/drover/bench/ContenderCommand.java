package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The child side of {@code resync}: one contender's sync in this fresh JVM, one JSON line on stdout. */
@Command(name = "contender", hidden = true, description = "Internal: runs one resync contender and prints JSON.")
final class ContenderCommand implements Callable<Integer> {
    static final String TOKEN_ENV = "DROVER_BENCH_TOKEN";

    @Option(names = "--kind", required = true)
    String kind;

    @Option(names = "--server", required = true)
    String server;

    @Option(names = "--namespaces", required = true)
    String namespaces;

    @Option(names = "--warm-namespaces", defaultValue = "")
    String warmNamespaces;

    @Option(names = "--expect", required = true)
    int expect;

    @Option(names = "--page-size", defaultValue = "500")
    int pageSize;

    @Option(names = "--qps", defaultValue = "50")
    double qps;

    @Option(names = "--burst", defaultValue = "100")
    int burst;

    @Option(names = "--timeout-seconds", defaultValue = "600")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        String token = System.getenv(TOKEN_ENV);
        if (token == null) {
            System.err.println("contender: set " + TOKEN_ENV);
            return 2;
        }
        ContenderResult r = ContenderRun.run(
                Contender.byLabel(kind),
                new ContenderRun.Target(server, token, pageSize, qps, burst),
                csv(namespaces),
                csv(warmNamespaces),
                expect,
                Duration.ofSeconds(timeoutSeconds));
        System.out.println(new ObjectMapper().writeValueAsString(r));
        System.out.flush();
        return 0;
    }

    private static List<String> csv(String s) {
        return s == null || s.isBlank()
                ? List.of()
                : Arrays.stream(s.split(",")).map(String::trim).toList();
    }
}
