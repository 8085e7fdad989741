package dev.drover.server;

import java.util.Locale;

/**
 * What a caller may do. Each role includes those before it: {@code read} sees tasks, logs,
 * events, replicas and metrics; {@code submit} also submits and cancels; {@code admin} also
 * anything that steers the service itself.
 */
public enum Role {
    /** Known, but may do nothing: a Kubernetes user in none of Drover's groups. */
    NONE,
    READ,
    SUBMIT,
    ADMIN;

    boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named in a token file or a group ({@code read}, {@code submit}, {@code admin}). */
    static Role parse(String text) {
        try {
            Role r = valueOf(text.strip().toUpperCase(Locale.ROOT));
            if (r == NONE) {
                throw new IllegalArgumentException();
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a role; write read, submit or admin");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
