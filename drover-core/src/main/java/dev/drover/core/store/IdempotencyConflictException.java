package dev.drover.core.store;

/**
 * An idempotency key was used again for a different request (another request hash): nothing was
 * stored. The client should send a new key for a new request.
 */
public final class IdempotencyConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    IdempotencyConflictException(IdempotencyKey key, java.time.Instant firstUsed) {
        super("idempotency key '" + key.key() + "' was used for a different request at " + firstUsed
                + "; use a new key for a new request");
        this.key = key.key();
    }

    /** The key that was used before. */
    public String key() {
        return key;
    }
}
