package dev.drover.testkit;

import java.util.List;

/**
 * One RBAC policy rule for a restricted test user, e.g. {@code RbacRule.of("", "events", "list")}.
 *
 * @param apiGroup "" for the core group
 */
public record RbacRule(String apiGroup, List<String> resources, List<String> verbs) {
    public static RbacRule of(String apiGroup, String resource, String... verbs) {
        return new RbacRule(apiGroup, List.of(resource), List.of(verbs));
    }
}
