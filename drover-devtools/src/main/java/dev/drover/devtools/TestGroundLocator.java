package dev.drover.devtools;

import dev.drover.cli.KubeconfigLocator;
import dev.drover.testkit.TestGround;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running test ground's kubeconfig as the CLI's default cluster. Cheap, since every command
 * with kube options asks: the ground's state file, then a TCP connect to its apiserver port (no
 * TLS, no HTTP) so a ground that died without {@code testground stop} is not taken.
 */
public final class TestGroundLocator implements KubeconfigLocator {
    private static final int CONNECT_TIMEOUT_MS = 300;

    @Override
    public Optional<Path> kubeconfig() {
        return TestGround.findDetached(TestGround.defaultDetachedStateDir())
                .filter(g -> Files.isRegularFile(g.kubeconfig()) && listening(g.masterUrl()))
                .map(TestGround.RunningGround::kubeconfig);
    }

    @Override
    public String describe() {
        return "the running test ground's kubeconfig";
    }

    private static boolean listening(String masterUrl) {
        try (Socket s = new Socket()) {
            URI u = URI.create(masterUrl);
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
