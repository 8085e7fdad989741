package dev.drover.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drover.kube.KubeApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers use their Kubernetes credentials: each bearer token is checked with the apiserver's
 * TokenReview ({@code authentication.k8s.io/v1}). The role comes from the user's groups: {@code
 * drover:admin}, {@code drover:submit} or {@code drover:read} (the highest wins; group names can be
 * given); a user in none of them is known but may do nothing (403). Answers are kept for {@link
 * #CACHE_FOR}, so a dashboard's requests do not each cost a review; the Replica's ServiceAccount needs
 * {@code create} on {@code tokenreviews} (the {@code system:auth-delegator} ClusterRole).
 */
public final class TokenReviewAuthenticator implements Authenticator {
    static final Duration CACHE_FOR = Duration.ofMinutes(1);
    private static final int MAX_CACHED = 10_000;
    private final KubeApi api;
    private final Map<Role, String> groups;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Principal> who, long until) {}

    /** With the default groups {@code drover:read}, {@code drover:submit}, {@code drover:admin}. */
    public TokenReviewAuthenticator(KubeApi api) {
        this(api, Map.of(Role.READ, "drover:read", Role.SUBMIT, "drover:submit", Role.ADMIN, "drover:admin"));
    }

    public TokenReviewAuthenticator(KubeApi api, Map<Role, String> groups) {
        this.api = api;
        this.groups = Map.copyOf(groups);
    }

    @Override
    public Optional<Principal> authenticate(String bearerToken) {
        String key = TokenFile.digest(bearerToken);
        long now = System.nanoTime();
        Cached c = cache.get(key);
        if (c != null && now - c.until() < 0) {
            return c.who();
        }
        Optional<Principal> who = review(bearerToken);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached(who, now + CACHE_FOR.toNanos()));
        return who;
    }

    private Optional<Principal> review(String token) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
        body.putObject("spec").put("token", token);
        JsonNode status = api.post(
                        "create",
                        "/apis/authentication.k8s.io/v1/tokenreviews",
                        body.toString(),
                        in -> Json.MAPPER.readTree(in))
                .path("status");
        if (!status.path("authenticated").asBoolean(false)) {
            return Optional.empty();
        }
        String user = status.path("user").path("username").asText("unknown");
        List<String> memberOf = textList(status.path("user").path("groups"));
        Role role = null;
        for (Role r : Role.values()) {
            if (memberOf.contains(groups.get(r))) {
                role = r; // values() ascend: the highest wins
            }
        }
        return Optional.of(new Principal(user, role == null ? Role.NONE : role));
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
