package dev.drover.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the apiserver and the kubelet refuse anyway, checked at submit so a bad task is refused
 * with a clear error instead of failing at launch: label and annotation keys (qualified names),
 * label values, the total size of annotations, image references.
 */
final class KubeNames {
    private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    /** The apiserver's limit on all annotations of an object together (keys and values). */
    static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

    // The reference grammar of container images (registry[:port]/path[:tag][@digest]); paths are lower case.
    private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*(?::[0-9]+)?";
    private static final String PATH_PART = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
    private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN);
    private static final Pattern REMAINDER = Pattern.compile(PATH_PART + "(?:/" + PATH_PART + ")*"
            + "(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

    private KubeNames() {}

    /** A label or annotation key: {@code [prefix/]name}, the prefix a DNS subdomain, the name at most 63 characters. */
    static String keyProblem(String key) {
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (prefix != null
                && (prefix.isEmpty()
                        || prefix.length() > 253
                        || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
            return "key '" + key + "' has a bad prefix: it must be a DNS subdomain such as example.com";
        }
        if (name.length() > 63 || !NAME_PART.matcher(name).matches()) {
            return "key '" + key + "' must be at most 63 letters, digits, '-', '_' or '.', starting and ending"
                    + " with a letter or digit (optionally after a prefix such as example.com/)";
        }
        return null;
    }

    static void checkLabels(String field, Map<String, String> labels) {
        labels.forEach((k, v) -> {
            String problem = keyProblem(k);
            if (problem != null) {
                throw new InvalidTaskException(field, problem);
            }
            if (v == null || !LABEL_VALUE.matcher(v).matches()) {
                throw new InvalidTaskException(
                        field,
                        "value '" + v + "' of '" + k + "' must be at most 63 letters,"
                                + " digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
        });
    }

    static void checkAnnotations(String field, Map<String, String> annotations) {
        long bytes = 0;
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            String problem = keyProblem(e.getKey());
            if (problem != null) {
                throw new InvalidTaskException(field, problem);
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + (e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length);
        }
        if (bytes > ANNOTATIONS_MAX_BYTES) {
            throw new InvalidTaskException(
                    field,
                    "take " + bytes + " bytes together; Kubernetes allows " + ANNOTATIONS_MAX_BYTES
                            + " (256 KiB): keep large data in a ConfigMap or volume");
        }
    }

    /** Null when {@code image} is a valid reference, else why not. */
    static String imageProblem(String image) {
        // As container runtimes read it: the first part is a registry only if it looks like a host.
        int slash = image.indexOf('/');
        String first = slash < 0 ? "" : image.substring(0, slash);
        boolean hasRegistry = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        String path = hasRegistry ? image.substring(slash + 1) : image;
        if ((!hasRegistry || DOMAIN_PATTERN.matcher(first).matches())
                && REMAINDER.matcher(path).matches()) {
            return null;
        }
        String why = image.chars().anyMatch(Character::isWhitespace)
                ? "must not contain spaces"
                : path.chars().anyMatch(Character::isUpperCase)
                        ? "is not a valid image reference: repository names are lower case"
                        : "is not a valid image reference";
        return "'" + image + "' " + why + " (e.g. busybox:1.36, registry.example:5000/team/app:2.1 or"
                + " app@sha256:<64 hex>)";
    }
}
