package dev.drover.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The files kube-apiserver is started with: token CSV, service-account keys, audit policy. */
record GroundFiles(Path tokens, Path serviceAccountKey, Path serviceAccountPublicKey, Path auditPolicy) {

    static GroundFiles write(Path dir, String adminToken) throws IOException {
        Path tokens = dir.resolve("tokens.csv");
        // token,user,uid,"groups": system:masters bypasses RBAC; every other user gets only what RBAC grants.
        Files.writeString(tokens, adminToken + ",admin,admin-uid,\"system:masters\"\n");
        Path key = dir.resolve("sa.key");
        Path pub = dir.resolve("sa.pub");
        if (!Files.exists(pub)) {
            run(List.of("openssl", "genrsa", "-out", key.toString(), "2048"));
            run(List.of("openssl", "rsa", "-in", key.toString(), "-pubout", "-out", pub.toString()));
        }
        Path policy = dir.resolve("audit-policy.yaml");
        Files.writeString(policy, """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                # pod patches with their bodies: tells a relabel (owner) from a done label
                - level: Request
                  verbs: ["patch"]
                  resources: [{group: "", resources: ["pods"]}]
                - level: Metadata
                """);
        return new GroundFiles(tokens, key, pub, policy);
    }

    private static void run(List<String> cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }
}
