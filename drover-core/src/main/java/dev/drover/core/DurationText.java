package dev.drover.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Durations as people write them, in flags, task files and rules: {@code 30s}, {@code 5m},
 * {@code 1h30m}, {@code 500ms}, {@code 2d}, ISO {@code PT30S}, or plain seconds ({@code 0},
 * {@code 30}). One grammar for the CLI and the library.
 */
public final class DurationText {
    /** How to write one, for error messages. */
    public static final String EXAMPLES = "write e.g. 30s, 5m, 1h30m or PT30S";

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationText() {}

    /** The duration {@code text} says, or null when it is not one (or is negative). */
    public static @Nullable Duration parse(String text) {
        String s = text.strip();
        if (s.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        if (s.regionMatches(true, 0, "P", 0, 1)) {
            try {
                Duration d = Duration.parse(s);
                return d.isNegative() ? null : d;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            at = m.end();
        }
        return at == 0 || at != s.length() ? null : total;
    }
}
