package dev.drover.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What to run: a container image and command in a namespace, optionally on a pod template (YAML)
 * with a per-task override merged onto it (see {@code PodMerge}), plus retries, timeouts and the
 * cleanup policy. Build with {@link #builder(String)}; {@link Builder#build()} checks every field
 * and says how to fix a bad one.
 *
 * @param podTemplate a Pod (or PodTemplateSpec-shaped) YAML document; null for none
 * @param podOverride YAML merged onto the template: containers matched by name, maps merged,
 *     lists appended, scalars replaced
 * @param startupTimeout how long the pod may stay Pending, measured from when Drover first saw it
 * @param runTimeout how long it may run, measured from when it was first seen Running; null: no limit
 * @param infraRetries tries the cluster may end (eviction, a lost node, preemption, the
 *     DisruptionTarget condition, UnexpectedAdmissionError) that are tried again without using
 *     {@code retries}; default {@value #DEFAULT_INFRA_RETRIES}
 */
public record TaskSpec(
        String name,
        String namespace,
        @Nullable String image,
        List<String> command,
        List<String> args,
        Map<String, String> env,
        Map<String, String> requests,
        Map<String, String> limits,
        @Nullable String podTemplate,
        @Nullable String podOverride,
        Map<String, String> labels,
        Map<String, String> annotations,
        int retries,
        Duration retryBackoff,
        Duration startupTimeout,
        @Nullable Duration runTimeout,
        CleanupPolicy cleanup,
        Integer infraRetries) {

    /** Tries ended by the cluster that are tried again without using the task's retries, by default. */
    public static final int DEFAULT_INFRA_RETRIES = 3;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    public TaskSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        requests = requests == null ? Map.of() : Map.copyOf(requests);
        limits = limits == null ? Map.of() : Map.copyOf(limits);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
        retryBackoff = retryBackoff == null ? Duration.ofSeconds(10) : retryBackoff;
        startupTimeout = startupTimeout == null ? Duration.ofMinutes(5) : startupTimeout;
        cleanup = cleanup == null ? CleanupPolicy.DELETE_ON_SUCCESS : cleanup;
        infraRetries = infraRetries == null ? DEFAULT_INFRA_RETRIES : infraRetries; // null: a spec stored before
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.namespace = namespace;
        b.image = image;
        b.command.addAll(command);
        b.args.addAll(args);
        b.env.putAll(env);
        b.requests.putAll(requests);
        b.limits.putAll(limits);
        b.podTemplate = podTemplate;
        b.podOverride = podOverride;
        b.labels.putAll(labels);
        b.annotations.putAll(annotations);
        b.retries = retries;
        b.retryBackoff = retryBackoff;
        b.startupTimeout = startupTimeout;
        b.runTimeout = runTimeout;
        b.cleanup = cleanup;
        b.infraRetries = infraRetries;
        return b;
    }

    /** Checks every field; throws {@link InvalidTaskException} naming the first bad one. */
    public TaskSpec validate() {
        if (name == null || name.isBlank()) {
            throw new InvalidTaskException("name", "is required; give the task a short name such as 'nightly-etl'");
        }
        if (name.length() > 40 || !DNS_LABEL.matcher(name).matches()) {
            throw new InvalidTaskException(
                    "name",
                    "'" + name + "' must be at most 40 lower-case letters, digits or '-',"
                            + " starting and ending with a letter or digit (it becomes part of the pod name)");
        }
        if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
            throw new InvalidTaskException(
                    "namespace",
                    "'" + namespace + "' is not a valid namespace name (lower-case"
                            + " letters, digits, '-', at most 63)");
        }
        if ((image == null || image.isBlank()) && podTemplate == null) {
            throw new InvalidTaskException(
                    "image",
                    "is required unless a pod template supplies the container image;" + " e.g. --image busybox:1.36");
        }
        if (image != null && KubeNames.imageProblem(image) != null) {
            throw new InvalidTaskException("image", KubeNames.imageProblem(image));
        }
        env.keySet().forEach(k -> {
            if (!ENV_NAME.matcher(k).matches()) {
                throw new InvalidTaskException(
                        "env",
                        "'" + k + "' is not a valid variable name (letters, digits, '_',"
                                + " '-', '.'; not starting with a digit)");
            }
        });
        checkQuantities("requests", requests);
        checkQuantities("limits", limits);
        labels.keySet().forEach(k -> {
            if (k.startsWith("drover.dev/")) {
                throw new InvalidTaskException("labels", "'" + k + "' is reserved for Drover; choose another key");
            }
        });
        KubeNames.checkLabels("labels", labels);
        KubeNames.checkAnnotations("annotations", annotations);
        if (retries < 0 || retries > 100) {
            throw new InvalidTaskException("retries", retries + " is out of range; use 0 to 100");
        }
        if (infraRetries < 0 || infraRetries > 100) {
            throw new InvalidTaskException(
                    "infraRetries",
                    infraRetries + " is out of range; use 0 (every try the cluster ends uses a retry) to 100");
        }
        positive("retryBackoff", retryBackoff);
        positive("startupTimeout", startupTimeout);
        if (runTimeout != null) {
            positive("runTimeout", runTimeout);
        }
        PodFactory.build(this, "check", 1, "check"); // template and override errors now, not at launch
        return this;
    }

    /**
     * The pod one try of this task creates, as the JSON the launcher sends: what {@code kubectl
     * --dry-run} would show. Throws {@link InvalidTaskException} like {@link #validate()}.
     */
    public String toPod(String taskId, int tryNumber, String schedulerId) {
        return PodFactory.build(this, taskId, tryNumber, schedulerId).toString();
    }

    private static void checkQuantities(String field, Map<String, String> q) {
        q.forEach((k, v) -> {
            if (!QUANTITY.matcher(v).matches()) {
                throw new InvalidTaskException(
                        field,
                        "'" + k + "=" + v + "' is not a Kubernetes quantity; write e.g." + " cpu=500m or memory=256Mi");
            }
        });
    }

    private static void positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new InvalidTaskException(field, d + " must be positive, e.g. 30s");
        }
    }

    /** Builds a {@link TaskSpec}; defaults: namespace default, no retries, 5 min startup, delete on success. */
    public static final class Builder {
        private final String name;
        private String namespace;
        private String image;
        private final List<String> command = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> requests = new LinkedHashMap<>();
        private final Map<String, String> limits = new LinkedHashMap<>();
        private String podTemplate;
        private String podOverride;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private int retries;
        private Duration retryBackoff;
        private Duration startupTimeout;
        private Duration runTimeout;
        private CleanupPolicy cleanup;
        private Integer infraRetries;

        private Builder(String name) {
            this.name = name;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder image(String image) {
            this.image = image;
            return this;
        }

        public Builder command(String... command) {
            return command(List.of(command));
        }

        public Builder command(List<String> command) {
            this.command.clear();
            this.command.addAll(command);
            return this;
        }

        public Builder args(List<String> args) {
            this.args.clear();
            this.args.addAll(args);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder request(String resource, String quantity) {
            requests.put(resource, quantity);
            return this;
        }

        public Builder limit(String resource, String quantity) {
            limits.put(resource, quantity);
            return this;
        }

        public Builder podTemplate(String yaml) {
            this.podTemplate = yaml;
            return this;
        }

        public Builder podOverride(String yaml) {
            this.podOverride = yaml;
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        public Builder retries(int retries, Duration backoff) {
            this.retries = retries;
            this.retryBackoff = backoff;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        public Builder runTimeout(Duration timeout) {
            this.runTimeout = timeout;
            return this;
        }

        public Builder cleanup(CleanupPolicy cleanup) {
            this.cleanup = cleanup;
            return this;
        }

        /**
         * How many tries the cluster may end (evicted, node lost, preempted, not admitted) and have
         * tried again without using a retry (default {@value TaskSpec#DEFAULT_INFRA_RETRIES}); once
         * they are used, such a try counts as a failed one.
         */
        public Builder infraRetries(int infraRetries) {
            this.infraRetries = infraRetries;
            return this;
        }

        /** The spec, checked: throws {@link InvalidTaskException} naming a bad field. */
        public TaskSpec build() {
            return new TaskSpec(
                            name,
                            namespace,
                            image,
                            command,
                            args,
                            env,
                            requests,
                            limits,
                            podTemplate,
                            podOverride,
                            labels,
                            annotations,
                            retries,
                            retryBackoff,
                            startupTimeout,
                            runTimeout,
                            cleanup,
                            infraRetries)
                    .validate();
        }
    }
}
