package dev.drover.server;

import java.util.Optional;

/**
 * Tells who a bearer token belongs to. Empty: the token is unknown (the caller gets 401).
 * Implementations: {@link TokenFile} (a file of tokens), {@link TokenReviewAuthenticator} (the
 * apiserver's TokenReview, so users can use their Kubernetes credentials).
 */
public interface Authenticator {
    Optional<Principal> authenticate(String bearerToken);
}
