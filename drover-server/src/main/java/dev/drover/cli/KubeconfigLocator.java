package dev.drover.cli;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A place to find a kubeconfig when neither {@code --kubeconfig} nor {@code $KUBECONFIG} names one,
 * asked before {@code ~/.kube/config} (the dev tools: the running test ground). Found with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.drover.cli.KubeconfigLocator}); must be cheap:
 * every command with kube options asks.
 */
public interface KubeconfigLocator {
    /** The kubeconfig to use, if this locator has one now. */
    Optional<Path> kubeconfig();

    /** What the kubeconfig is, for messages, e.g. "the running test ground's kubeconfig". */
    String describe();
}
