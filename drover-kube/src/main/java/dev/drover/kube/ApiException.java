package dev.drover.kube;

import java.time.Duration;
import java.util.Optional;

/**
 * The apiserver answered with an error status (or could not be reached: code 0).
 *
 * @see #isGone() 410: the resourceVersion or continue token is too old; relist
 */
public final class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final String statusMessage;
    private final Duration retryAfter;

    public ApiException(int code, String reason, String message, Duration retryAfter) {
        super(code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ": " + message);
        this.code = code;
        this.reason = reason;
        this.statusMessage = message;
        this.retryAfter = retryAfter;
    }

    public ApiException(String message, Throwable cause) {
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

    /** The Status reason, e.g. {@code Expired}, {@code Forbidden}, {@code TooManyRequests}. */
    public String reason() {
        return reason;
    }

    /** The apiserver's own words (the Status message), without the code and reason in front. */
    public String statusMessage() {
        return statusMessage;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public boolean isGone() {
        return code == 410;
    }

    public boolean isForbidden() {
        return code == 403;
    }
}
