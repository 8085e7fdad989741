package dev.drover.server;

import dev.drover.core.Drover;
import dev.drover.core.store.TaskStore;
import dev.drover.core.store.TaskStores;
import dev.drover.sim.NodeSimulator;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * What the server tests stand on: simulated nodes for one namespace, an in-memory store, a
 * scheduling Drover on the test ground and a {@link DroverServer} on a free loopback port, with
 * tokens for each role in a token file. Closed in the reverse order.
 */
public final class ServedDrover implements AutoCloseable {
    public static final String READ = "read-token-0123456789";
    public static final String SUBMIT = "submit-token-0123456789";
    public static final String ADMIN = "admin-token-0123456789";

    public final String ns;
    public final String storeUrl;
    public final Path tokens;
    public final NodeSimulator sim;
    public final TaskStore store;
    public final Drover drover;
    public final DroverServer server;

    private ServedDrover(
            TestGround ground,
            KubernetesClient client,
            String ns,
            Path dir,
            String schedulerId,
            UnaryOperator<Drover.Builder> droverSettings,
            UnaryOperator<DroverServer.Builder> serverSettings) {
        this.ns = ns;
        this.sim = NodeSimulator.builder(client)
                .namespaces(ns)
                .nodeNamePrefix(ns + "-")
                .build()
                .start();
        this.storeUrl = "jdbc:h2:mem:served" + ThreadLocalRandom.current().nextInt(1 << 30)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        this.store = TaskStores.fromUrl(storeUrl);
        this.drover = droverSettings
                .apply(Drover.builder(ground.adminConfig(), store)
                        .schedulerId(schedulerId)
                        .cluster("served-test")
                        .tick(Duration.ofMillis(100)))
                .build()
                .start();
        this.tokens = dir.resolve("tokens");
        try {
            Files.writeString(tokens, """
                    # token,name,role
                    %s,rita,read
                    %s,sam,submit
                    %s,ada,admin
                    """.formatted(READ, SUBMIT, ADMIN));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = serve(serverSettings.apply(DroverServer.builder(drover, store)));
    }

    /** Default settings; {@code schedulerId} names the replica. */
    public static ServedDrover start(
            TestGround ground, KubernetesClient client, String ns, Path dir, String schedulerId) {
        return start(ground, client, ns, dir, schedulerId, b -> b, b -> b);
    }

    /** With the Drover's and the server's builders changed as given (before the token file is set). */
    public static ServedDrover start(
            TestGround ground,
            KubernetesClient client,
            String ns,
            Path dir,
            String schedulerId,
            UnaryOperator<Drover.Builder> drover,
            UnaryOperator<DroverServer.Builder> server) {
        return new ServedDrover(ground, client, ns, dir, schedulerId, drover, server);
    }

    /** Another server over {@code b}: loopback, a free port, this fixture's token file (unless {@code b} has none). */
    public DroverServer serve(DroverServer.Builder b) {
        b.host("127.0.0.1").port(0);
        if (!b.noAuth) {
            b.authenticator(TokenFile.read(tokens));
        }
        return b.build().start();
    }

    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        drover.close();
        store.close();
        sim.close();
    }
}
