package dev.drover.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config drover.yaml}: the settings of {@code server} and {@code worker} in one file, each
 * key the default of one command-line option. A flag on the command line wins over the
 * environment ({@code DROVER_HTTP_PORT} for {@code http.port}), which wins over the file. Every key
 * is checked when the file is read: an unknown key or a bad value is an error naming the key.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
    /** What a key's value must be; {@code check} returns the option's text or throws naming the problem. */
    private enum Kind {
        TEXT(v -> v),
        PATH(v -> v),
        BOOLEAN(v -> {
            String s = v.toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException("'" + v + "' is not true or false");
            }
            return s;
        }),
        INTEGER(v -> {
            try {
                Long.parseLong(v);
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a whole number");
            }
        }),
        NUMBER(v -> {
            try {
                Double.parseDouble(v);
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a number");
            }
        }),
        DURATION(v -> {
            Durations.parse(v);
            return v;
        }),
        LIST(v -> v);

        final Function<String, String> check;

        Kind(Function<String, String> check) {
            this.check = check;
        }
    }

    private record Key(String name, String option, Kind kind) {}

    /** Every key, and the option it sets. */
    private static final List<Key> KEYS = List.of(
            new Key("store", "--store", Kind.TEXT),
            new Key("cluster.kubeconfig", "--kubeconfig", Kind.PATH),
            new Key("cluster.context", "--context", Kind.TEXT),
            new Key("cluster.name", "--cluster", Kind.TEXT),
            new Key("namespaces", "--namespaces", Kind.LIST),
            new Key("scheduler.id", "--scheduler-id", Kind.TEXT),
            new Key("scheduler.parallelism", "--parallelism", Kind.INTEGER),
            new Key("scheduler.heartbeatInterval", "--heartbeat-interval", Kind.DURATION),
            new Key("scheduler.aliveThreshold", "--alive-threshold", Kind.DURATION),
            new Key("scheduler.reconcileInterval", "--reconcile-interval", Kind.DURATION),
            new Key("rates.launchQps", "--launch-rate", Kind.NUMBER),
            new Key("rates.launchConcurrency", "--launch-concurrency", Kind.INTEGER),
            new Key("rates.apiQps", "--api-qps", Kind.NUMBER),
            new Key("pendingRules", "--pending-rules", Kind.PATH),
            new Key("cleanup.podFinalizer", "--no-pod-finalizer", Kind.BOOLEAN),
            new Key("logArchive.enabled", "--no-log-archive", Kind.BOOLEAN),
            new Key("logArchive.dir", "--log-dir", Kind.PATH),
            new Key("auth.tokenFile", "--token-file", Kind.PATH),
            new Key("auth.tokenReview", "--token-review", Kind.BOOLEAN),
            new Key("auth.none", "--no-auth", Kind.BOOLEAN),
            new Key("http.port", "--port", Kind.INTEGER),
            new Key("http.host", "--host", Kind.TEXT),
            new Key("http.readOnly", "--read-only", Kind.BOOLEAN),
            new Key("http.maxBodyBytes", "--max-body-bytes", Kind.INTEGER),
            new Key("http.tls.cert", "--tls-cert", Kind.PATH),
            new Key("http.tls.key", "--tls-key", Kind.PATH));

    /** Keys whose option says the opposite ({@code cleanup.podFinalizer: false} is {@code --no-pod-finalizer}). */
    private static final java.util.Set<String> NEGATED = java.util.Set.of("cleanup.podFinalizer", "logArchive.enabled");

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Map<String, String> byOption; // option name -> its default text

    private ConfigFile(Map<String, String> byOption) {
        this.byOption = byOption;
    }

    /** Reads and checks {@code file} (null: no file, the environment only). */
    static ConfigFile read(Path file, Map<String, String> env) {
        Map<String, String> byOption = new LinkedHashMap<>();
        String source = file == null ? "" : "--config " + file + ": ";
        if (file != null) {
            JsonNode root;
            try {
                root = YAML.readTree(Files.readString(file));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(source + "no such file");
            } catch (IOException e) {
                throw new IllegalArgumentException(source + "not YAML: " + e.getMessage(), e);
            }
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new IllegalArgumentException(source + "must be a mapping of keys such as store, http");
                }
                Map<String, JsonNode> flat = new LinkedHashMap<>();
                flatten("", root, flat, file);
                flat.forEach((name, value) -> {
                    Key key = key(name)
                            .orElseThrow(() -> new IllegalArgumentException(
                                    source + name + ": unknown key; the keys are " + names()));
                    byOption.put(key.option(), value(source, key, value, file));
                });
            }
        }
        for (Key key : KEYS) {
            String fromEnv = env.get(envName(key.name()));
            if (fromEnv != null && !fromEnv.isEmpty()) {
                byOption.put(key.option(), check("$" + envName(key.name()) + ": ", key, fromEnv));
            }
        }
        return new ConfigFile(byOption);
    }

    /** The environment variable of a key: {@code http.maxBodyBytes} is {@code DROVER_HTTP_MAX_BODY_BYTES}. */
    static String envName(String key) {
        return "DROVER_"
                + key.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out, Path file) {
        boolean leaf = !node.isObject() || prefix.equals("pendingRules");
        if (leaf) {
            out.put(prefix, node);
            return;
        }
        node.fields().forEachRemaining(e -> {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (key(name).isPresent() || !e.getValue().isObject()) {
                out.put(name, e.getValue());
            } else {
                flatten(name, e.getValue(), out, file);
            }
        });
    }

    private static String value(String source, Key key, JsonNode value, Path file) {
        if (key.name().equals("pendingRules") && (value.isArray() || value.isObject())) {
            // inline rules: the option reads them from this file (PendingRulesOption)
            return file + PendingRulesOption.IN_CONFIG;
        }
        if (key.kind() == Kind.LIST) {
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(v -> items.add(v.asText()));
                return String.join(",", items);
            }
        }
        if (!value.isValueNode() || value.isNull()) {
            throw new IllegalArgumentException(
                    source + key.name() + ": must be a single value" + (key.kind() == Kind.LIST ? " or a list" : ""));
        }
        String text = value.asText();
        if (key.kind() == Kind.PATH && !text.isEmpty() && !Path.of(text).isAbsolute() && file.getParent() != null) {
            text = file.getParent().resolve(text).toString(); // relative to the config file, as kubeconfigs are
        }
        return check(source, key, text);
    }

    private static String check(String source, Key key, String text) {
        try {
            String v = key.kind().check.apply(text.strip());
            if (NEGATED.contains(key.name())) {
                return String.valueOf(!Boolean.parseBoolean(v));
            }
            return v;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + key.name() + ": " + e.getMessage(), e);
        }
    }

    private static java.util.Optional<Key> key(String name) {
        return KEYS.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    private static String names() {
        return String.join(", ", KEYS.stream().map(Key::name).toList());
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec o) {
            String v = byOption.get(o.longestName());
            if (v != null) {
                return v;
            }
        }
        return arg.defaultValue();
    }

    /**
     * {@code command} as the command line, the environment and {@code config} give it: when there is
     * a file or a setting in the environment, a fresh command from {@code fresh} parsed again from
     * the same arguments with their defaults; else {@code command} itself. Called first in a
     * command's {@code call()}, so a bad file is an error like any other (one line, exit 2).
     */
    static <T> T apply(
            T command, CommandLine.Model.CommandSpec spec, Path config, java.util.function.Supplier<T> fresh) {
        Map<String, String> env = System.getenv();
        boolean fromEnv = KEYS.stream().anyMatch(k -> !k.name().equals("store") && env.containsKey(envName(k.name())));
        if (config == null && !fromEnv) {
            return command;
        }
        ConfigFile cfg = read(config, env);
        T again = fresh.get();
        CommandLine cl = new CommandLine(again);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setDefaultValueProvider(cfg);
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int at = all.indexOf(spec.name());
        cl.parseArgs(all.subList(at + 1, all.size()).toArray(String[]::new));
        return again;
    }
}
