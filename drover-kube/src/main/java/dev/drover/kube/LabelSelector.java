package dev.drover.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed label selector, equality- and set-based, with Kubernetes' syntax and limits: {@code
 * a=b, c!=d, e in (x,y), f notin (z), g, !h}. Parsing here turns a typo into an error that names
 * the fault before any request goes out; {@link #matches} evaluates it on a label map. Public for
 * the task store, which turns the parsed requirements into SQL over the tasks' labels.
 */
public final class LabelSelector {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern PREFIX =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    /** One requirement: {@code op} is one of = != in notin exists !exists. */
    public record Requirement(String key, String op, List<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case "=" -> values.getFirst().equals(v);
                case "!=" -> !values.getFirst().equals(v);
                case "in" -> v != null && values.contains(v);
                case "notin" -> v == null || !values.contains(v);
                case "exists" -> labels.containsKey(key);
                case "!exists" -> !labels.containsKey(key);
                default -> throw new IllegalStateException(op);
            };
        }

        @Override
        public String toString() {
            return switch (op) {
                case "=", "!=" -> key + op + values.getFirst();
                case "in", "notin" -> key + " " + op + " (" + String.join(",", values) + ")";
                case "exists" -> key;
                default -> "!" + key;
            };
        }
    }

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** The requirements in the order written; all of them must match. */
    public List<Requirement> requirements() {
        return requirements;
    }

    boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    /** The selector as the apiserver reads it; empty selects everything. */
    @Override
    public String toString() {
        return String.join(",", requirements.stream().map(Requirement::toString).toList());
    }

    /**
     * Parses {@code selector}; null or blank selects everything. A bad one is an {@link
     * IllegalArgumentException} whose message starts {@code labelSelector "…":} and says what is wrong.
     */
    public static LabelSelector parse(@Nullable String selector) {
        List<Requirement> out = new ArrayList<>();
        if (selector == null || selector.isBlank()) {
            return new LabelSelector(out);
        }
        for (String part : splitTopLevel(selector)) {
            out.add(requirement(part.trim(), selector));
        }
        return new LabelSelector(out);
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw bad(s, "unbalanced ')'");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw bad(s, "unclosed '(' in a set requirement; write e.g. env in (dev,prod)");
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static Requirement requirement(String r, String whole) {
        if (r.isEmpty()) {
            throw bad(whole, "an empty requirement (two commas in a row, or a trailing comma)");
        }
        var set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$")
                .matcher(r);
        if (set.matches()) {
            List<String> values = new ArrayList<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v.trim(), whole));
            }
            if (values.isEmpty()
                    || (values.size() == 1
                            && values.getFirst().isEmpty()
                            && set.group(3).isBlank())) {
                throw bad(whole, "'" + r + "' has no values; a set needs at least one, e.g. (a,b)");
            }
            return new Requirement(key(set.group(1), whole), set.group(2), List.copyOf(values));
        }
        int ne = r.indexOf("!=");
        if (ne > 0) {
            return new Requirement(
                    key(r.substring(0, ne).trim(), whole),
                    "!=",
                    List.of(value(r.substring(ne + 2).trim(), whole)));
        }
        int eq = r.indexOf('=');
        if (eq > 0) {
            int valueStart = r.startsWith("==", eq) ? eq + 2 : eq + 1;
            return new Requirement(
                    key(r.substring(0, eq).trim(), whole),
                    "=",
                    List.of(value(r.substring(valueStart).trim(), whole)));
        }
        if (r.startsWith("!")) {
            return new Requirement(key(r.substring(1).trim(), whole), "!exists", List.of());
        }
        if (r.contains(" ") || r.contains("(")) {
            throw bad(
                    whole,
                    "'" + r
                            + "' is not a requirement; use key=value, key!=value, key in (a,b), key notin (a,b), key or !key");
        }
        return new Requirement(key(r, whole), "exists", List.of());
    }

    private static String key(String k, String whole) {
        String name = k;
        int slash = k.indexOf('/');
        if (slash >= 0) {
            String prefix = k.substring(0, slash);
            name = k.substring(slash + 1);
            if (prefix.isEmpty()
                    || prefix.length() > 253
                    || !PREFIX.matcher(prefix).matches()) {
                throw bad(whole, "label key prefix '" + prefix + "' must be a DNS subdomain such as example.com");
            }
        }
        if (!NAME.matcher(name).matches()) {
            throw bad(
                    whole,
                    "label key '" + k
                            + "' is invalid: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside");
        }
        return k;
    }

    private static String value(String v, String whole) {
        if (!VALUE.matcher(v).matches()) {
            throw bad(
                    whole,
                    "label value '" + v
                            + "' is invalid: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside");
        }
        return v;
    }

    private static IllegalArgumentException bad(String selector, String why) {
        return new IllegalArgumentException("labelSelector \"" + selector + "\": " + why);
    }
}
