package dev.drover.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** The shipped manifests under {@code deploy/}, rendered by the machine's kubectl (its kustomize). */
final class Manifests {
    /** The repository's {@code deploy/}: tests run in the module's directory. */
    static final Path DEPLOY =
            Path.of("").toAbsolutePath().getParent().resolve("deploy").normalize();

    private Manifests() {}

    /** kubectl's answer: exit code and what it printed (stdout and stderr together). */
    record Kubectl(int exit, String output) {}

    static Kubectl kubectl(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("kubectl");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + ": no end within 2 minutes");
        }
        return new Kubectl(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** {@code kubectl kustomize dir}: the objects it renders; fails on any kustomize error. */
    static List<HasMetadata> render(Path dir) throws IOException, InterruptedException {
        Kubectl k = kubectl(dir, "kustomize", dir.toString());
        if (k.exit() != 0) {
            throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + k.output());
        }
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : k.output().split("(?m)^---$")) {
            if (!doc.isBlank()) {
                out.add(Serialization.unmarshal(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8))));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
        List<HasMetadata> found = objects.stream().filter(kind::isInstance).toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + kind.getSimpleName() + ", found " + found.size());
        }
        return (T) found.getFirst();
    }

    /** A Role's rules as {@code resource[/subresource] verb} pairs (core group only: Drover uses no other). */
    static Set<String> grants(Role role) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            if (!r.getApiGroups().equals(List.of(""))) {
                throw new IllegalStateException("rule outside the core group: " + r);
            }
            for (String resource : r.getResources()) {
                for (String verb : r.getVerbs()) {
                    out.add(resource + " " + verb);
                }
            }
        }
        return out;
    }

    /** A kustomization in {@code dir} that builds on {@code resources} and {@code components} (relative paths). */
    static Path kustomization(Path dir, List<Path> resources, List<Path> components) throws IOException {
        StringBuilder b = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
        b.append("resources:\n");
        // kustomize takes no absolute roots
        resources.forEach(r -> b.append("  - ").append(dir.relativize(r)).append('\n'));
        if (!components.isEmpty()) {
            b.append("components:\n");
            components.forEach(c -> b.append("  - ").append(dir.relativize(c)).append('\n'));
        }
        Files.writeString(dir.resolve("kustomization.yaml"), b);
        return dir;
    }
}
