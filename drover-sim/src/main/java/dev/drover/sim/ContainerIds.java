package dev.drover.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Runtime-style identifiers: {@code sim://<64 hex>} container IDs and digest-pinned image IDs. */
final class ContainerIds {
    private ContainerIds() {}

    static String containerId() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return "sim://" + HexFormat.of().formatHex(b);
    }

    /** {@code docker.io/library/busybox@sha256:…} for {@code busybox:1.36}, as containerd reports it. */
    static String imageId(String image) {
        String repo = image;
        int at = repo.indexOf('@');
        if (at >= 0) {
            repo = repo.substring(0, at);
        }
        int slash = repo.lastIndexOf('/');
        int colon = repo.lastIndexOf(':');
        if (colon > slash) {
            repo = repo.substring(0, colon);
        }
        String first = repo.contains("/") ? repo.substring(0, repo.indexOf('/')) : "";
        if (!repo.contains("/")) {
            repo = "docker.io/library/" + repo;
        } else if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
            repo = "docker.io/" + repo;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
            return repo + "@sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
