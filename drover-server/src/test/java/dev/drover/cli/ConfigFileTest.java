package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config drover.yaml}: each key the default of an option; the environment over the file, flags over both. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path f = dir.resolve("drover.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private ServerCommand server(Path config, Map<String, String> env, String... args) {
        ServerCommand s = new ServerCommand();
        CommandLine cl = new CommandLine(s);
        cl.setDefaultValueProvider(ConfigFile.read(config, env));
        cl.parseArgs(args);
        return s;
    }

    private static final String FULL = """
            store: jdbc:postgresql://db/drover
            cluster:
              kubeconfig: kube/config
              context: prd
              name: prd-cluster
            namespaces: [etl, ml]
            scheduler:
              id: drover-a
              parallelism: 250
              heartbeatInterval: 2s
              aliveThreshold: 10s
              reconcileInterval: 1m
            rates: {launchQps: 80, launchConcurrency: 20, apiQps: 200}
            cleanup: {podFinalizer: false}
            logArchive: {enabled: true, dir: /var/lib/drover/logs}
            auth: {tokenFile: tokens.csv}
            http:
              port: 9090
              host: 127.0.0.1
              readOnly: true
              maxBodyBytes: 1048576
              tls: {cert: tls/tls.crt, key: tls/tls.key}
            """;

    @Test
    void everyKeySetsItsOption() throws IOException {
        ServerCommand s = server(config(FULL), Map.of());
        assertThat(s.exec.store).isEqualTo("jdbc:postgresql://db/drover");
        assertThat(s.exec.kube.kubeconfig).isEqualTo(dir.resolve("kube/config")); // relative to the file
        assertThat(s.exec.kube.context).isEqualTo("prd");
        assertThat(s.exec.cluster).isEqualTo("prd-cluster");
        assertThat(s.exec.namespaces).containsExactly("etl", "ml");
        assertThat(s.exec.schedulerId).isEqualTo("drover-a");
        assertThat(s.replica.parallelism).isEqualTo(250);
        assertThat(s.replica.heartbeatInterval).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.replica.aliveThreshold).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.replica.reconcileInterval).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.replica.launchRate).isEqualTo(80.0);
        assertThat(s.replica.launchConcurrency).isEqualTo(20);
        assertThat(s.replica.apiQps).isEqualTo(200.0);
        assertThat(s.exec.noPodFinalizer).isTrue();
        assertThat(s.exec.noLogArchive).isFalse();
        assertThat(s.exec.logDir).isEqualTo(Path.of("/var/lib/drover/logs"));
        assertThat(s.tokenFile).isEqualTo(dir.resolve("tokens.csv"));
        assertThat(s.port).isEqualTo(9090);
        assertThat(s.host).isEqualTo("127.0.0.1");
        assertThat(s.readOnly).isTrue();
        assertThat(s.maxBodyBytes).isEqualTo(1048576);
        assertThat(s.tlsCert).isEqualTo(dir.resolve("tls/tls.crt"));
        assertThat(s.tlsKey).isEqualTo(dir.resolve("tls/tls.key"));
    }

    @Test
    void theEnvironmentOverridesTheFileAndAFlagOverridesBoth() throws IOException {
        Path f = config(FULL);
        Map<String, String> env = Map.of(
                "DROVER_HTTP_PORT", "7070", "DROVER_SCHEDULER_PARALLELISM", "9", "DROVER_HTTP_MAX_BODY_BYTES", "2048");
        ServerCommand s = server(f, env, "--port", "6060");
        assertThat(s.port).isEqualTo(6060);
        assertThat(s.replica.parallelism).isEqualTo(9);
        assertThat(s.maxBodyBytes).isEqualTo(2048);
        assertThat(ConfigFile.envName("http.tls.cert")).isEqualTo("DROVER_HTTP_TLS_CERT");
        assertThat(ConfigFile.envName("rates.launchQps")).isEqualTo("DROVER_RATES_LAUNCH_QPS");
    }

    @Test
    void withoutAFileTheEnvironmentAloneGivesDefaults() {
        ServerCommand s = server(null, Map.of("DROVER_HTTP_PORT", "0", "DROVER_AUTH_NONE", "true"));
        assertThat(s.port).isZero();
        assertThat(s.noAuth).isTrue();
    }

    @Test
    void anUnknownKeyOrABadValueIsAnErrorNamingTheKey() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(config("http: {prot: 80}"), Map.of()))
                .hasMessageContaining("drover.yaml: http.prot: unknown key; the keys are store, cluster.kubeconfig");
        assertThatThrownBy(() -> ConfigFile.read(config("http: {port: eighty}"), Map.of()))
                .hasMessageContaining("http.port: 'eighty' is not a whole number");
        assertThatThrownBy(() -> ConfigFile.read(config("scheduler: {aliveThreshold: 5x}"), Map.of()))
                .hasMessageContaining("scheduler.aliveThreshold: '5x' is not a duration");
        assertThatThrownBy(() -> ConfigFile.read(config("http: {readOnly: maybe}"), Map.of()))
                .hasMessageContaining("http.readOnly: 'maybe' is not true or false");
        assertThatThrownBy(() -> ConfigFile.read(config("- a\n- b\n"), Map.of()))
                .hasMessageContaining("must be a mapping");
        assertThatThrownBy(() -> ConfigFile.read(null, Map.of("DROVER_HTTP_PORT", "x")))
                .hasMessageContaining("$DROVER_HTTP_PORT: http.port: 'x' is not a whole number");
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("none.yaml"), Map.of()))
                .hasMessageContaining("none.yaml: no such file");
    }

    @Test
    void pendingRulesCanBeInlineOrAFile() throws IOException {
        Path f = config("""
                pendingRules:
                  - name: mirror-down
                    reasons: [ErrImagePull]
                    grace: 5m
                    action: fail
                """);
        ServerCommand s = server(f, Map.of());
        assertThat(s.pendingRules.rules())
                .singleElement()
                .satisfies(r -> assertThat(r.name()).isEqualTo("mirror-down"));

        config("""
                pendingRules:
                  - name: bad
                    reasons: [ErrImagePull]
                    grace: 5x
                    action: fail
                """);
        ServerCommand bad = server(f, Map.of());
        assertThatThrownBy(bad.pendingRules::rules)
                .hasMessageContaining("--config " + f + ": pendingRules[0] (bad).grace: '5x' is not a duration");

        Files.writeString(dir.resolve("rules.yaml"), "- {name: r, reasons: [X], action: wait}\n");
        ServerCommand fromFile = server(config("pendingRules: rules.yaml\n"), Map.of());
        assertThat(fromFile.pendingRules.rules())
                .singleElement()
                .satisfies(r -> assertThat(r.name()).isEqualTo("r"));
    }

    @Test
    void theDocumentedExampleReadsAsItSays() {
        Path example = Path.of("drover.example.yaml").toAbsolutePath();
        ServerCommand s = server(example, Map.of());
        assertThat(s.exec.store).startsWith("jdbc:postgresql://db.example:5432/drover");
        assertThat(s.exec.kube.kubeconfig).isEqualTo(example.getParent().resolve("kube/config"));
        assertThat(s.exec.namespaces).containsExactly("etl", "ml");
        assertThat(s.replica.parallelism).isEqualTo(200);
        assertThat(s.replica.apiQps).isEqualTo(125.0);
        assertThat(s.pendingRules.rules())
                .extracting(r -> r.name())
                .containsExactly("mirror-down", "image-pull-failed");
        assertThat(s.exec.noPodFinalizer).isFalse();
        assertThat(s.tokenFile).isEqualTo(example.getParent().resolve("tokens.csv"));
        assertThat(s.tokenReview).isFalse();
        assertThat(s.port).isEqualTo(8080);
        assertThat(s.maxBodyBytes).isEqualTo(4194304);
    }
}
