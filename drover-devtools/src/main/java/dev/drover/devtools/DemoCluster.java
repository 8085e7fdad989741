package dev.drover.devtools;

import dev.drover.cli.KubeTarget;
import dev.drover.testkit.TestGround;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;

/**
 * Where the demo runs: the local test ground (started when none runs), or the cluster that
 * {@code --kubeconfig}/{@code --context} name (one without kubelets: the demo brings its nodes).
 *
 * @param kubeconfig for the closing hint; null in-cluster
 * @param stateDir where the default task store lives
 */
record DemoCluster(Config config, String server, Path kubeconfig, Path stateDir) {
    static DemoCluster testGround(Path stateDir) {
        TestGround.RunningGround g = TestGroundCommand.ensureRunning(stateDir);
        return new DemoCluster(
                Config.fromKubeconfig(null, g.kubeconfig().toFile()), g.masterUrl(), g.kubeconfig(), stateDir);
    }

    static DemoCluster of(KubeTarget target, Path stateDir) {
        Config config = target.config();
        return new DemoCluster(config, config.getMasterUrl(), target.kubeconfig(), stateDir);
    }

    /** An H2 file next to the ground's files, served to other processes (bin/drover list) while the demo runs. */
    String defaultStore() {
        return "jdbc:h2:file:" + stateDir.resolve("tasks") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE";
    }
}
