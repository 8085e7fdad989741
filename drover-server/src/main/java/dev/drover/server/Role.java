package dev.drover.server;

import java.util.Locale;

/**
 * What a caller may do. Each role includes those before it: {@code read} sees tasks, logs,
 * events, replicas and metrics; {@code submit} also submits and cancels; {@code admin} also
 * anything that steers the service itself.
 */
public enum Role {
    READ,
    SUBMIT,
    ADMIN;

    boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named in a token file or a group ({@code read}, {@code submit}, {@code admin}). */
    static Role parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a role; write read, submit or admin");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
