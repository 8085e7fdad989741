package dev.drover.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE} of {@code server} and {@code worker}: see {@link ConfigFile}. */
final class ConfigOption {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML file of settings (see the README's \"Configuration\"): defaults of these options;"
                    + " $DROVER_<KEY> overrides it, a flag overrides both (default: $DROVER_CONFIG).")
    Path config;

    /** The file given, else {@code $DROVER_CONFIG}; null when neither. */
    Path file() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("DROVER_CONFIG");
        return env == null || env.isBlank() ? null : Path.of(env);
    }
}
