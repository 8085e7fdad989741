package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.server.Authenticator;
import dev.drover.server.DroverServer;
import dev.drover.server.Tls;
import dev.drover.server.TokenFile;
import dev.drover.server.TokenReviewAuthenticator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover server}: a replica (scheduler and watches) with the REST API, dashboard and metrics. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        header = "Runs a replica with the REST API (/api/v1), the dashboard (/) and metrics (/metrics).",
        description = {
            "A worker (the same options) that also serves HTTP until Ctrl-C or SIGTERM. Callers need a bearer",
            "token from --token-file (lines token,name,role; role read, submit or admin); --no-auth serves",
            "everyone as admin, on loopback only. --read-only serves reads and schedules nothing."
        })
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ExecutorOptions exec = new ExecutorOptions();

    @Mixin
    PendingRulesOption pendingRules = new PendingRulesOption();

    @Mixin
    ReplicaOptions replica = new ReplicaOptions();

    @Option(
            names = "--port",
            description = "The HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one and prints it).")
    int port = 8080;

    @Option(
            names = "--host",
            description = "The address to listen on (default: every address; with --no-auth 127.0.0.1).")
    String host;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Bearer tokens: lines token,name,role.")
    Path tokenFile;

    @Option(
            names = "--token-review",
            description = "Also take Kubernetes tokens, checked with the apiserver's TokenReview; the role comes"
                    + " from the user's group drover:read, drover:submit or drover:admin.")
    boolean tokenReview;

    @Option(
            names = "--token-review-group",
            paramLabel = "ROLE=GROUP",
            description = "With --token-review: the group that gives ROLE (read, submit, admin), in place of"
                    + " drover:<role>; e.g. --token-review-group submit=system:serviceaccounts:etl.")
    java.util.Map<dev.drover.server.Role, String> tokenReviewGroups = new java.util.LinkedHashMap<>();

    @Option(
            names = "--no-auth",
            description = "Serve without authentication (every caller is an admin); loopback addresses only.")
    boolean noAuth;

    @Option(names = "--read-only", description = "Serve the API and dashboard without scheduling; no submit, cancel.")
    boolean readOnly;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate (chain).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The PKCS#8 private key of --tls-cert.")
    Path tlsKey;

    @Option(
            names = "--max-body-bytes",
            description = "The largest request body taken (default: ${DEFAULT-VALUE}); larger ones answer 413.")
    long maxBodyBytes = DroverServer.DEFAULT_MAX_BODY_BYTES;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Override
    public Integer call() throws Exception {
        return ConfigFile.apply(this, spec, config.file(), ServerCommand::new).run();
    }

    private Integer run() throws Exception {
        pendingRules.rules(); // bad input fails before anything is opened
        if (tokenFile == null && !tokenReview && !noAuth) {
            throw new IllegalArgumentException(
                    "--token-file: give a file of bearer tokens (lines token,name,role), or --no-auth to serve"
                            + " without authentication on loopback");
        }
        if ((tokenFile != null || tokenReview) && noAuth) {
            throw new IllegalArgumentException("--no-auth with --token-file or --token-review: choose one");
        }
        if (!tokenReviewGroups.isEmpty() && !tokenReview) {
            throw new IllegalArgumentException("--token-review-group needs --token-review");
        }
        if (tokenReviewGroups.containsKey(dev.drover.server.Role.NONE)) {
            throw new IllegalArgumentException("--token-review-group: the roles are read, submit and admin");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both or neither");
        }
        TokenFile tokens = tokenFile == null ? null : readTokens();
        KubeTarget target = exec.kube.resolve();
        exec.checkSchedulerId();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch stopped = new CountDownLatch(1);
        try (TaskStore store = exec.openStore();
                Drover drover = replica.applyTo(pendingRules.applyTo(exec.drover(store)))
                        .meterRegistry(metrics) // the same registry /metrics serves
                        .build()) {
            DroverServer.Builder b = DroverServer.builder(drover, store)
                    .port(port)
                    .readOnly(readOnly)
                    .maxBodyBytes(maxBodyBytes)
                    .metrics(metrics);
            if (tokens != null || tokenReview) {
                b.authenticator(authenticator(tokens, target));
            } else {
                b.withoutAuthentication();
            }
            b.host(host != null ? host : noAuth ? "127.0.0.1" : "0.0.0.0");
            if (tlsCert != null) {
                b.tls(Tls.fromPem(tlsCert, tlsKey));
            }
            try (DroverServer server = b.build();
                    StopSignals stop = StopSignals.onStop(() -> {
                        System.err.printf("server %s stopping%n", drover.schedulerId());
                        drover.close();
                        stopped.countDown();
                    })) {
                if (!readOnly) {
                    drover.start();
                }
                server.start();
                System.out.println("drover server " + drover.schedulerId() + " serving on " + server.url()
                        + (readOnly ? " (read-only)" : ""));
                System.out.flush();
                stopped.await();
                stop.awaitStopIfStopping();
            }
        }
        return 0;
    }

    /** The token file's tokens, then (if asked) the apiserver's TokenReview for the rest. */
    private Authenticator authenticator(TokenFile tokens, KubeTarget target) {
        if (!tokenReview) {
            return tokens;
        }
        java.util.Map<dev.drover.server.Role, String> groups = new java.util.EnumMap<>(java.util.Map.of(
                dev.drover.server.Role.READ, "drover:read",
                dev.drover.server.Role.SUBMIT, "drover:submit",
                dev.drover.server.Role.ADMIN, "drover:admin"));
        groups.putAll(tokenReviewGroups);
        Authenticator review = new TokenReviewAuthenticator(
                dev.drover.kube.KubeApi.builder(target.config()).build(), groups);
        if (tokens == null) {
            return review;
        }
        return token -> tokens.authenticate(token).or(() -> review.authenticate(token));
    }

    private TokenFile readTokens() {
        try {
            return TokenFile.read(tokenFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--token-file " + e.getMessage(), e);
        }
    }
}
