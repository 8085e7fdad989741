package dev.drover.kube;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The apiserver answered with an error status (or could not be reached: code 0).
 *
 * {@link #code()} 410: the resourceVersion or continue token is too old; relist.
 */
public final class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final String statusMessage;
    private final @Nullable Duration retryAfter;

    ApiException(int code, @Nullable String reason, String message, @Nullable Duration retryAfter) {
        super(code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ": " + message);
        this.code = code;
        this.reason = reason == null ? "" : reason;
        this.statusMessage = message;
        this.retryAfter = retryAfter;
    }

    ApiException(String message, Throwable cause) {
        super("apiserver unreachable: " + message, cause);
        this.code = 0;
        this.reason = "Unreachable";
        this.statusMessage = message;
        this.retryAfter = null;
    }

    /** HTTP status code; 0 when the request never got an answer. */
    public int code() {
        return code;
    }

    /** The Status reason, e.g. {@code Expired}, {@code Forbidden}, {@code TooManyRequests}; empty if none. */
    public String reason() {
        return reason;
    }

    /** The apiserver's own words (the Status message), without the code and reason in front. */
    public String statusMessage() {
        return statusMessage;
    }

    /** How long the server asked us to wait (Retry-After, or the Status's retryAfterSeconds). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    boolean isGone() {
        return code == 410;
    }

    boolean isForbidden() {
        return code == 403;
    }
}
