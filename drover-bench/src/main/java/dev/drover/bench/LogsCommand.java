package dev.drover.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = {
            "Drover's log archive and follow on a private test ground with LEAN simulated nodes: archive bytes",
            "in the store per MB of log (tasks writing a known log size, on each --store), then one big log",
            "followed with TaskLogs while it is written and archived, checking every line and sampling the",
            "heap. --smoke: 3 tasks of 1 MB, a 12 MB log over 6 s."
        })
final class LogsCommand implements Callable<Integer> {
    @Mixin
    OutputOptions out = new OutputOptions();

    @Mixin
    LogsOptions logs = new LogsOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--store",
            defaultValue = "h2-file",
            description = "Store(s) of the archive-size phase, comma-separated: h2-file, h2-mem, postgres; the"
                    + " follow runs on the first (default ${DEFAULT-VALUE}).")
    String store;

    LogsBench.Options options() {
        return logs.options(out.smoke, store, 2);
    }

    LogsBench.Report bench(Progress progress) throws Exception {
        return new LogsBench(options(), progress).run();
    }

    @Override
    public Integer call() throws Exception {
        try {
            options();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        LogsBench.Report r = bench(Progress.stderr());
        out.print(r, LogsTables.render(r));
        return LogsTables.sane(r) ? 0 : 1;
    }
}
