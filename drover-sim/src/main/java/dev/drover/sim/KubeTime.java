package dev.drover.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Kubernetes' two time formats: API timestamps (whole seconds) and log prefixes (Go's RFC3339Nano). */
final class KubeTime {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private KubeTime() {}

    /** {@code metav1.Time} as the API serializes it: RFC3339, whole seconds, UTC. */
    static String seconds(Instant t) {
        return SECONDS.format(t.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /** Go's {@code time.RFC3339Nano}: trailing zeros of the fraction dropped, no fraction when zero. */
    static String nanos(Instant t) {
        String base = SECONDS.format(t.atOffset(ZoneOffset.UTC));
        int nano = t.getNano();
        if (nano == 0) {
            return base;
        }
        // Nine digits, trailing zeros dropped; by hand, as this runs for every line of a big log.
        char[] digits = new char[9];
        for (int k = 8; k >= 0; k--) {
            digits[k] = (char) ('0' + nano % 10);
            nano /= 10;
        }
        int len = 9;
        while (digits[len - 1] == '0') {
            len--;
        }
        return new StringBuilder(base.length() + 10)
                .append(base, 0, base.length() - 1)
                .append('.')
                .append(digits, 0, len)
                .append('Z')
                .toString();
    }

    /** Parses RFC3339 with or without fraction and offset; null when it is not a timestamp. */
    static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.strip()); // the API's own form, and the fast path
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        .toInstant();
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    /** Go's {@code time.Duration} string for durations under a minute, e.g. {@code 512.3ms}, {@code 1.2s}. */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        String unit;
        double value;
        if (nanos < 1_000_000) {
            unit = "µs";
            value = nanos / 1e3;
        } else if (nanos < 1_000_000_000) {
            unit = "ms";
            value = nanos / 1e6;
        } else {
            unit = "s";
            value = nanos / 1e9;
        }
        String s = new BigDecimal(value)
                .setScale(6, RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
        return s + unit;
    }
}
