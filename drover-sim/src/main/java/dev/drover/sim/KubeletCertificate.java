package dev.drover.sim;

import dev.drover.testkit.LoopbackTls;
import javax.net.ssl.SSLContext;

/**
 * The simulated kubelets' self-signed serving certificate, made once per JVM. The apiserver
 * accepts it because the test ground gives it no kubelet CA to verify against.
 */
final class KubeletCertificate {
    private KubeletCertificate() {}

    static SSLContext sslContext() {
        return LoopbackTls.of("drover-sim-kubelet").sslContext();
    }
}
