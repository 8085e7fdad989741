package dev.drover.cli;

import dev.drover.core.DurationText;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Durations as people write them (drover-core's {@link DurationText} grammar): {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}, ISO {@code PT30S}, or plain seconds. */
final class Durations {
    static final String EXAMPLES = DurationText.EXAMPLES;

    private Durations() {}

    /** Throws IllegalArgumentException saying how to write one. */
    static Duration parse(String text) {
        Duration d = DurationText.parse(text);
        if (d == null) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; " + EXAMPLES);
        }
        return d;
    }

    /** For picocli options of type Duration. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parse(value);
        }
    }
}
