package dev.drover.kube;

import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes resource the engine can list and watch.
 *
 * @param group "" for the core group
 * @param plural the URL name, e.g. {@code pods}
 */
public record ResourceType(String group, String version, String plural, boolean namespaced) {
    public static final ResourceType PODS = new ResourceType("", "v1", "pods", true);
    public static final ResourceType EVENTS = new ResourceType("", "v1", "events", true);

    /** The collection path in {@code namespace}, or across all namespaces when it is null. */
    public String path(@Nullable String namespace) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && namespace != null ? base + "/namespaces/" + namespace + "/" + plural : base + "/" + plural;
    }
}
