package dev.drover.sim;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code sim.drover.dev/behavior} annotation: {@code ;}-separated items {@code
 * key[.container][=value]}. A pure function; see the module README for the grammar.
 */
final class BehaviorGrammar {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)");
    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** Accepted forms, quoted in warnings so a typo can be fixed without reading the docs. */
    static final String FORMS = "run[.c]=<duration>; exit[.c]=<0-255>; log[.c]=<line>|<line>;"
            + " log-bytes[.c]=<size>; oom[.c]; pull-throttle[.c]=<n>; pull-fail[.c]; pull-message[.c]=<text>;"
            + " never-pull[.c]; pull-backoff=<duration>; config-error[.c]; invalid-image[.c]; init-fail=<1-255>;"
            + " admission-error; evict[=<duration>]; disrupt[=<reason>][@<duration>] (reason: PreemptionByScheduler,"
            + " EvictionByEvictionAPI, DeletionByTaintManager, TerminationByKubelet);"
            + " provider-failed[=pending|failed]; scheduling-gate[=<duration>]; unschedulable[=<duration>];"
            + " bind-delay=<duration>; lose-node=<duration>; log-delay=<duration>"
            + "  (duration: 500ms, 2s, 1.5m, 0; size: 100B, 512KB, 50MB, 1GB (powers of 1000), 512KiB, 50MiB,"
            + " 1GiB (powers of 1024))";

    /** The largest {@code log-bytes}: 10 GB, 100 million generated lines. */
    static final long MAX_LOG_BYTES = 10_000_000_000L;

    private BehaviorGrammar() {}

    /** The outcome of parsing: the behaviour, or {@link Behavior#DEFAULT} plus what was wrong. */
    record Parsed(Behavior behavior, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    static Parsed parse(String annotation) {
        if (annotation == null || annotation.isBlank()) {
            return new Parsed(Behavior.DEFAULT, List.of());
        }
        var b = new Draft();
        List<String> problems = new ArrayList<>();
        for (String raw : annotation.split(";")) {
            String item = raw.strip();
            if (item.isEmpty()) {
                continue;
            }
            try {
                b.apply(item);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            return new Parsed(Behavior.DEFAULT, List.copyOf(problems));
        }
        return new Parsed(b.build(), List.of());
    }

    /** Parses {@code 500ms}, {@code 2s}, {@code 1.5m}, {@code 1h} or a bare {@code 0}. */
    static Duration parseDuration(String key, String value) {
        Matcher m = DURATION.matcher(value == null ? "" : value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2) == null && new BigDecimal(m.group(1)).signum() != 0)) {
            throw bad(key, value, "a duration such as 500ms, 2s, 1.5m or 0");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        long millisPerUnit = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        return Duration.ofMillis(n.multiply(BigDecimal.valueOf(millisPerUnit)).longValue());
    }

    /**
     * Parses a size: {@code 100B}, {@code 512KB}, {@code 50MB}, {@code 1GB} (powers of 1000) or {@code
     * 512KiB}, {@code 50MiB}, {@code 1GiB} (powers of 1024); units in any case, a bare {@code 0}.
     */
    static long parseSize(String key, String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return 0;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw bad(key, value, "a size such as 100B, 512KB, 50MB, 1GB (powers of 1000) or 512KiB, 50MiB (1024)");
        }
        long unit = switch (m.group(2)) {
            case "b" -> 1;
            case "kb" -> 1_000;
            case "kib" -> 1_024;
            case "mb" -> 1_000_000;
            case "mib" -> 1_048_576;
            case "gb" -> 1_000_000_000;
            default -> 1_073_741_824;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(MAX_LOG_BYTES)) > 0) {
            throw bad(key, value, "a size of at most 10GB");
        }
        return bytes.longValue();
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("'" + key + (value == null ? "" : "=" + value) + "': expected " + expected);
    }

    /** Mutable collector for one parse; each item either applies or throws with a message. */
    private static final class Draft {
        final Map<String, Duration> run = new HashMap<>();
        final Map<String, Integer> exit = new HashMap<>();
        final Map<String, List<String>> log = new HashMap<>();
        final Map<String, Long> logBytes = new HashMap<>();
        final Set<String> oom = new HashSet<>();
        final Map<String, Integer> pullThrottle = new HashMap<>();
        final Set<String> pullFail = new HashSet<>();
        final Map<String, String> pullMessage = new HashMap<>();
        final Set<String> neverPull = new HashSet<>();
        final Set<String> configError = new HashSet<>();
        final Set<String> invalidImage = new HashSet<>();
        Duration pullBackoff = Behavior.DEFAULT_PULL_BACKOFF;
        Optional<Integer> initFail = Optional.empty();
        Optional<Duration> evict = Optional.empty();
        Behavior.ProviderFailure providerFailure = Behavior.ProviderFailure.NONE;
        Duration bindDelay = Duration.ZERO;
        Optional<Duration> loseNode = Optional.empty();
        Duration logDelay = Duration.ZERO;
        Optional<Behavior.Disruption> disrupt = Optional.empty();
        boolean admissionError;
        Optional<Duration> schedulingGate = Optional.empty();
        Optional<Duration> unschedulable = Optional.empty();

        void apply(String item) {
            int eq = item.indexOf('=');
            String left = (eq < 0 ? item : item.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : item.substring(eq + 1).strip();
            int dot = left.indexOf('.');
            String key = dot < 0 ? left : left.substring(0, dot);
            String container = dot < 0 ? Behavior.ALL_MAIN : left.substring(dot + 1);
            if (dot >= 0 && !CONTAINER_NAME.matcher(container).matches()) {
                throw new IllegalArgumentException("'" + left + "': '" + container + "' is not a container name");
            }
            switch (key) {
                case "run" -> run.put(container, parseDuration(left, value));
                case "exit" -> exit.put(container, exitCode(left, value, 0));
                case "log" -> log.put(container, lines(left, value));
                case "log-bytes" -> logBytes.put(container, parseSize(left, value));
                case "oom" -> flag(left, value, oom, container);
                case "pull-throttle" -> pullThrottle.put(container, count(left, value));
                case "pull-fail" -> flag(left, value, pullFail, container);
                case "pull-message" -> pullMessage.put(container, text(left, value));
                case "never-pull" -> flag(left, value, neverPull, container);
                case "config-error" -> flag(left, value, configError, container);
                case "invalid-image" -> flag(left, value, invalidImage, container);
                case "pull-backoff" -> pullBackoff = atLeast10ms(podWide(left, container, value), value);
                case "init-fail" -> initFail = Optional.of(exitCode(podWide(left, container, value), value, 1));
                case "evict" -> evict = Optional.of(optionalDuration(podWide(left, container, value), value));
                case "provider-failed" -> providerFailure = providerFailure(podWide(left, container, value), value);
                case "bind-delay" -> bindDelay = parseDuration(podWide(left, container, value), value);
                case "lose-node" -> loseNode = Optional.of(parseDuration(podWide(left, container, value), value));
                case "log-delay" -> logDelay = parseDuration(podWide(left, container, value), value);
                case "disrupt" -> disrupt = Optional.of(disruption(podWide(left, container, value), value));
                case "admission-error" -> admissionError = podWideFlag(podWide(left, container, value), value);
                case "scheduling-gate" -> schedulingGate = Optional.of(hold(podWide(left, container, value), value));
                case "unschedulable" -> unschedulable = Optional.of(hold(podWide(left, container, value), value));
                default -> throw new IllegalArgumentException("unknown key '" + key + "'");
            }
        }

        /** A zero back-off would make a forever-failing pull a busy loop of writes. */
        private static Duration atLeast10ms(String key, String value) {
            Duration d = parseDuration(key, value);
            if (d.toMillis() < 10) {
                throw bad(key, value, "a duration of at least 10ms");
            }
            return d;
        }

        /** Keys about the whole pod take no container name; returns the key for messages. */
        private String podWide(String left, String container, String value) {
            if (!container.isEmpty()) {
                throw new IllegalArgumentException("'" + left + "': this key is about the whole pod, not a container");
            }
            return left;
        }

        private static int exitCode(String key, String value, int min) {
            try {
                int code = Integer.parseInt(value == null ? "" : value);
                if (code >= min && code <= 255) {
                    return code;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(key, value, "an exit code " + min + "-255");
        }

        private static int count(String key, String value) {
            try {
                int n = Integer.parseInt(value == null ? "" : value);
                if (n >= 0 && n <= 1000) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(key, value, "a number of failed pulls 0-1000");
        }

        private static List<String> lines(String key, String value) {
            if (value == null) {
                throw bad(key, null, "log lines separated by '|', e.g. log=hello|world");
            }
            return List.of(value.split("\\|", -1));
        }

        private static void flag(String key, String value, Set<String> set, String container) {
            if (value != null && !value.equalsIgnoreCase("true")) {
                throw bad(key, value, "no value (just '" + key + "')");
            }
            set.add(container);
        }

        private static String text(String key, String value) {
            if (value == null || value.isBlank()) {
                throw bad(key, value, "a message, e.g. " + key + "=toomanyrequests: Rate exceeded");
            }
            return value;
        }

        private static boolean podWideFlag(String key, String value) {
            if (value != null && !value.equalsIgnoreCase("true")) {
                throw bad(key, value, "no value (just '" + key + "')");
            }
            return true;
        }

        /** A scheduling hold: for a duration, or (no value) forever. */
        private static Duration hold(String key, String value) {
            return value == null ? Behavior.FOREVER : parseDuration(key, value);
        }

        /** {@code [<reason>][@<duration>]}, or just a duration; default PreemptionByScheduler, at once. */
        private static Behavior.Disruption disruption(String key, String value) {
            if (value == null) {
                return new Behavior.Disruption(Behavior.DisruptionReason.PREEMPTION_BY_SCHEDULER, Duration.ZERO);
            }
            int at = value.indexOf('@');
            String reasonText = (at < 0 ? value : value.substring(0, at)).strip();
            String after = at < 0 ? null : value.substring(at + 1).strip();
            if (at < 0 && !reasonText.isEmpty() && Character.isDigit(reasonText.charAt(0))) {
                after = reasonText; // disrupt=2s
                reasonText = "";
            }
            Behavior.DisruptionReason reason = Behavior.DisruptionReason.PREEMPTION_BY_SCHEDULER;
            if (!reasonText.isEmpty()) {
                reason = null;
                for (Behavior.DisruptionReason r : Behavior.DisruptionReason.values()) {
                    if (r.reason.equalsIgnoreCase(reasonText)) {
                        reason = r;
                    }
                }
                if (reason == null) {
                    throw bad(
                            key,
                            value,
                            "[<reason>][@<duration>] with reason PreemptionByScheduler, EvictionByEvictionAPI,"
                                    + " DeletionByTaintManager or TerminationByKubelet, e.g."
                                    + " disrupt=EvictionByEvictionAPI@2s");
                }
            }
            return new Behavior.Disruption(reason, after == null ? Duration.ZERO : parseDuration(key, after));
        }

        private static Duration optionalDuration(String key, String value) {
            return value == null ? Duration.ZERO : parseDuration(key, value);
        }

        private static Behavior.ProviderFailure providerFailure(String key, String value) {
            if (value == null || value.equalsIgnoreCase("pending")) {
                return Behavior.ProviderFailure.PENDING;
            }
            if (value.equalsIgnoreCase("failed")) {
                return Behavior.ProviderFailure.FAILED;
            }
            throw bad(key, value, "no value, 'pending' or 'failed'");
        }

        Behavior build() {
            return new Behavior(
                    Map.copyOf(run),
                    Map.copyOf(exit),
                    Map.copyOf(log),
                    Map.copyOf(logBytes),
                    Set.copyOf(oom),
                    Map.copyOf(pullThrottle),
                    Set.copyOf(pullFail),
                    Map.copyOf(pullMessage),
                    Set.copyOf(neverPull),
                    Set.copyOf(configError),
                    Set.copyOf(invalidImage),
                    pullBackoff,
                    initFail,
                    evict,
                    providerFailure,
                    bindDelay,
                    loseNode,
                    logDelay,
                    disrupt,
                    admissionError,
                    schedulingGate,
                    unschedulable);
        }
    }
}
