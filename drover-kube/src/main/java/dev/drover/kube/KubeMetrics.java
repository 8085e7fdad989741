package dev.drover.kube;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The Micrometer meters of a {@link KubeApi} and of the informers on it. Tags are bounded: verbs,
 * status codes and resource names are chosen by code, never object or namespace names.
 *
 * <p>Without a registry of the application's the meters go to an empty {@link
 * CompositeMeterRegistry}, whose meters are no-ops: a library user pays a map lookup per request.
 */
final class KubeMetrics {
    /** A resource (or subresource) name as it appears in a URL; anything else is counted as "other". */
    private static final Pattern RESOURCE = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> throttled = new ConcurrentHashMap<>();

    KubeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    static KubeMetrics none() {
        return new KubeMetrics(new CompositeMeterRegistry());
    }

    /** One answer (code 0: none came) to a request of {@code verb} on {@code path}. */
    void request(String verb, String path, int code) {
        String resource = resourceOf(path);
        requests.computeIfAbsent(
                        verb + ' ' + resource + ' ' + code,
                        k -> Counter.builder("drover.kube.requests")
                                .description(
                                        "Requests to the apiserver, by verb, resource and status code (0: no answer)")
                                .tag("verb", verb)
                                .tag("resource", resource)
                                .tag("code", Integer.toString(code))
                                .register(registry))
                .increment();
    }

    /** A 429 whose Retry-After was sat out before the request went again. */
    void throttled(String verb) {
        throttled
                .computeIfAbsent(
                        verb,
                        v -> Counter.builder("drover.kube.throttled")
                                .description("429 answers of the apiserver sat out (Retry-After honoured), by verb")
                                .tag("verb", v)
                                .register(registry))
                .increment();
    }

    /** The meters of one informer's watches of {@code resource}, summed over its namespaces. */
    Watch watch(ResourceType resource) {
        return new Watch(registry, resource.plural());
    }

    /**
     * The resource a path names, with its subresource: {@code /api/v1/namespaces/ns/pods/p/log} →
     * {@code pods/log}, {@code /apis/apps/v1/deployments} → {@code deployments}, {@code /version} →
     * {@code version}. The namespace and the object's name are dropped: they would make one series
     * per pod.
     */
    static String resourceOf(String path) {
        int q = path.indexOf('?');
        String[] all =
                (q < 0 ? path : path.substring(0, q)).replaceAll("^/+|/+$", "").split("/+");
        int start;
        if (all.length >= 2 && all[0].equals("api")) {
            start = 2; // api/v1/...
        } else if (all.length >= 3 && all[0].equals("apis")) {
            start = 3; // apis/group/version/...
        } else {
            return all.length == 1 && RESOURCE.matcher(all[0]).matches() ? all[0] : "other";
        }
        int n = all.length - start;
        if (n <= 0) {
            return "other";
        }
        String resource;
        String sub = null;
        if (all[start].equals("namespaces") && n >= 3) {
            resource = all[start + 2]; // namespaces/<ns>/<resource>[/<name>[/<sub>]]
            sub = n >= 5 ? all[start + 4] : null;
        } else {
            resource = all[start]; // <resource>[/<name>[/<sub>]], namespaces/<ns> included
            sub = n >= 3 ? all[start + 2] : null;
        }
        if (!RESOURCE.matcher(resource).matches()
                || (sub != null && !RESOURCE.matcher(sub).matches())) {
            return "other";
        }
        return sub == null ? resource : resource + "/" + sub;
    }

    /** Lists by cause, 410s, watch events applied and failures of one informer's watches. */
    static final class Watch {
        private final Map<RelistCause, Counter> lists = new EnumMap<>(RelistCause.class);
        private final Counter gone;
        private final Map<String, Counter> applied = new ConcurrentHashMap<>();
        private final Counter apiErrors;
        private final Counter bugs;
        private final MeterRegistry registry;
        private final String resource;

        private Watch(MeterRegistry registry, String resource) {
            this.registry = registry;
            this.resource = resource;
            for (RelistCause c : RelistCause.values()) {
                lists.put(
                        c,
                        Counter.builder("drover.watch.lists")
                                .description("Lists of the list-watch engine, by cause (initial: the first;"
                                        + " the others are relists: gone, expired_continue, poll, server_error)")
                                .tag("resource", resource)
                                .tag("cause", c.name().toLowerCase(java.util.Locale.ROOT))
                                .register(registry));
            }
            this.gone = Counter.builder("drover.watch.gone")
                    .description("410 Gone answers: on a watch's open, as an ERROR event, or for a continue token")
                    .tag("resource", resource)
                    .register(registry);
            this.apiErrors = errors("api");
            this.bugs = errors("unexpected");
        }

        private Counter errors(String kind) {
            return Counter.builder("drover.watch.errors")
                    .description("Failures of a list or watch, retried after a backoff (api: the apiserver's"
                            + " answer; unexpected: a bug, logged at ERROR)")
                    .tag("resource", resource)
                    .tag("kind", kind)
                    .register(registry);
        }

        void listed(RelistCause cause) {
            lists.get(cause).increment();
        }

        void gone() {
            gone.increment();
        }

        void apiError() {
            apiErrors.increment();
        }

        void bug() {
            bugs.increment();
        }

        /** A watch event was applied to the store: {@code added}, {@code modified}, {@code deleted} or {@code unchanged}. */
        void applied(String type) {
            applied.computeIfAbsent(
                            type,
                            t -> Counter.builder("drover.watch.events.applied")
                                    .description("Watch events applied to the informer's store, by what they did")
                                    .tag("resource", resource)
                                    .tag("type", t)
                                    .register(registry))
                    .increment();
        }
    }
}
