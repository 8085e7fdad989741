package dev.drover.core.store;

import static java.util.Objects.requireNonNull;

/**
 * What makes a submit idempotent ({@link TaskStore#insertAll(java.util.SequencedMap, String,
 * java.time.Instant, IdempotencyKey)}): a submit again with the same principal and key returns the
 * first one's tasks instead of storing new ones.
 *
 * @param principal who submits ({@code ""}: anonymous); keys of different principals never meet
 * @param key the client's key (e.g. an {@code Idempotency-Key} header), 1 to 255 printable ASCII
 *     characters
 * @param requestHash a digest of the request the caller computes; the same key with another hash
 *     is an {@link IdempotencyConflictException}
 */
public record IdempotencyKey(String principal, String key, String requestHash) {
    /** Checks the parts, naming the bad one. */
    public IdempotencyKey {
        requireNonNull(principal, "principal");
        requireNonNull(key, "key");
        requireNonNull(requestHash, "requestHash");
        if (principal.length() > 253) {
            throw new IllegalArgumentException("principal is " + principal.length() + " characters; at most 253");
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
            throw new IllegalArgumentException(
                    "idempotency key must be 1 to 255 printable ASCII characters, e.g. a UUID; got " + key.length()
                            + " characters");
        }
        if (requestHash.isEmpty() || requestHash.length() > 255) {
            throw new IllegalArgumentException("requestHash must be 1 to 255 characters, e.g. a hex SHA-256");
        }
    }
}
