package dev.drover.kube;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Client-side token bucket, like client-go's flowcontrol: {@code qps} tokens a second, at most
 * {@code burst} saved up. One is shared by every request of a {@link KubeApi}, and a verb may have
 * its own as well ({@link KubeApi.Builder#verbRate}). A server's Retry-After pauses the shared
 * bucket, so all callers back off together instead of each finding out alone.
 */
final class RateLimiter {
    private final double qps;
    private final double burst;
    private double tokens;
    private long lastRefill;
    private long pausedUntil;

    RateLimiter(double qps, int burst) {
        if (qps <= 0 || burst < 1) {
            throw new IllegalArgumentException(
                    "qps must be > 0 and burst >= 1 (got qps=" + qps + ", burst=" + burst + ")");
        }
        this.qps = qps;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = System.nanoTime();
    }

    /** Blocks until a request may go out; returns how long it waited. */
    Duration acquire() throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            long waitNanos;
            synchronized (this) {
                long now = System.nanoTime();
                if (now < pausedUntil) {
                    waitNanos = pausedUntil - now;
                } else {
                    tokens = Math.min(burst, tokens + Math.max(0, now - lastRefill) * qps / 1e9);
                    lastRefill = Math.max(lastRefill, now);
                    if (tokens >= 1) {
                        tokens -= 1;
                        return Duration.ofNanos(now - start);
                    }
                    waitNanos = (long) ((1 - tokens) / qps * 1e9);
                }
            }
            LockSupport.parkNanos(waitNanos);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the client-side rate limiter");
            }
        }
    }

    /** Holds every caller back until {@code delay} from now (a server's Retry-After). */
    synchronized void pauseFor(Duration delay) {
        pausedUntil = Math.max(pausedUntil, System.nanoTime() + delay.toNanos());
        // An empty bucket lets callers out one by one at the steady rate after the pause, not in a burst.
        tokens = 0;
        lastRefill = pausedUntil;
    }
}
