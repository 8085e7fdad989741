package dev.drover.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * {@code --kubeconfig} and {@code --context}, read like kubectl does, and checked like kubectl: an
 * unknown context or a missing kubeconfig is an error, never a quiet fall-back to another cluster.
 */
public final class KubeOptions {
    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "Path to a kubeconfig (default: $KUBECONFIG, else the running test ground when the dev"
                    + " tools are there, else ~/.kube/config, else in-cluster).")
    Path kubeconfig;

    @Option(
            names = "--context",
            paramLabel = "NAME",
            description = "The kubeconfig context to use (default: its current context).")
    String context;

    /** Whether the command line named a kubeconfig or a context. */
    public boolean given() {
        return kubeconfig != null || context != null;
    }

    /**
     * The cluster these options name. Throws (exit 2) when {@code --kubeconfig} or a {@code
     * $KUBECONFIG} file cannot be read, or the context is not in it.
     */
    public KubeTarget resolve() {
        if (kubeconfig != null) {
            return pick(List.of(Kubeconfig.read(kubeconfig, "--kubeconfig " + kubeconfig)), "--kubeconfig");
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return pick(fromEnvironment(env), "$KUBECONFIG");
        }
        for (KubeconfigLocator locator : ServiceLoader.load(KubeconfigLocator.class)) {
            Optional<Path> found = locator.kubeconfig();
            if (found.isPresent()) {
                return pick(
                        List.of(Kubeconfig.read(found.get(), locator.describe() + " " + found.get())),
                        locator.describe());
            }
        }
        Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
        if (Files.exists(home)) {
            return pick(List.of(Kubeconfig.read(home, home.toString())), home.toString());
        }
        if (context != null) {
            throw new IllegalArgumentException("--context " + context + ": no kubeconfig to find it in (pass"
                    + " --kubeconfig FILE, set $KUBECONFIG or write ~/.kube/config)");
        }
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return new KubeTarget(null, null, null, null, KubeTarget.IN_CLUSTER);
        }
        return new KubeTarget(null, null, null, null, KubeTarget.NONE);
    }

    /** Like kubectl: the files of {@code $KUBECONFIG} that exist, the first one's current context. */
    private static List<Kubeconfig> fromEnvironment(String env) {
        List<Kubeconfig> files = new ArrayList<>();
        for (String part : env.split(File.pathSeparator)) {
            if (!part.isBlank() && Files.exists(Path.of(part))) {
                files.add(Kubeconfig.read(Path.of(part), "$KUBECONFIG file " + part));
            }
        }
        if (files.isEmpty()) {
            throw new CliFailure("$KUBECONFIG " + env + ": no such file");
        }
        return files;
    }

    private KubeTarget pick(List<Kubeconfig> files, String source) {
        String paths = files.stream().map(k -> k.file().toString()).collect(Collectors.joining(File.pathSeparator));
        String contexts = files.stream()
                .flatMap(k -> k.serverByContext().keySet().stream())
                .distinct()
                .collect(Collectors.joining(", "));
        String known = contexts.isEmpty() ? "it has no contexts" : "contexts: " + contexts;
        String name = context;
        for (int i = 0; name == null && i < files.size(); i++) {
            name = files.get(i).currentContext();
        }
        if (name == null) {
            throw new IllegalArgumentException(
                    source + " " + paths + ": no current-context; pass --context NAME (" + known + ")");
        }
        for (Kubeconfig k : files) {
            if (k.has(name)) {
                return new KubeTarget(
                        k.file(),
                        name,
                        k.serverByContext().get(name),
                        k.clusterByContext().get(name),
                        source);
            }
        }
        String what = context != null ? "--context " + context : source + " " + paths + ": current-context";
        throw new IllegalArgumentException(
                what + ": context \"" + name + "\" not found in " + paths + " (" + known + ")");
    }
}
