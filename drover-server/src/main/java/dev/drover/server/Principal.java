package dev.drover.server;

/** Who called, as the authenticator told: a name (recorded with what they did) and a role. */
public record Principal(String name, Role role) {
    /** The caller when the server runs without authentication (loopback only). */
    static final Principal ANONYMOUS = new Principal("anonymous", Role.ADMIN);
}
