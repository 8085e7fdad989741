package dev.drover.devtools;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** How to point kubectl at a ground; how to install kubectl only when it is not on the PATH. */
final class KubectlHint {
    static final String INSTALL = "(kubectl: apt-get install kubernetes-client)";

    private KubectlHint() {}

    static String pointAt(Path kubeconfig) {
        return pointAt(kubeconfig, System.getenv("PATH"));
    }

    static String pointAt(Path kubeconfig, String path) {
        return "point kubectl at it:  export KUBECONFIG=" + kubeconfig
                + (onPath("kubectl", path) ? "" : "  " + INSTALL);
    }

    /** Whether an executable {@code name} is in one of {@code path}'s directories. */
    static boolean onPath(String name, String path) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            try {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return true;
                }
            } catch (InvalidPathException ignored) {
                // not a directory name
            }
        }
        return false;
    }
}
