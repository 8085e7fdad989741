package dev.drover.cli;

import dev.drover.core.InvalidTaskException;
import java.util.Map;

/** A bad task field, told in the words of the command line: {@code podOverride.spec…} → {@code --pod-override: spec…}. */
final class TaskFlags {
    private static final Map<String, String> FLAG_BY_FIELD = Map.ofEntries(
            Map.entry("name", "--name"),
            Map.entry("namespace", "-n/--namespace"),
            Map.entry("image", "IMAGE"),
            Map.entry("command", "COMMAND"),
            Map.entry("args", "COMMAND"),
            Map.entry("env", "--env"),
            Map.entry("labels", "--label"),
            Map.entry("annotations", "--annotation"),
            Map.entry("requests", "--request"),
            Map.entry("limits", "--limit"),
            Map.entry("podTemplate", "--pod-template"),
            Map.entry("podOverride", "--pod-override"),
            Map.entry("retries", "--retries"),
            Map.entry("infraRetries", "--infra-retries"),
            Map.entry("retryBackoff", "--retry-backoff"),
            Map.entry("startupTimeout", "--startup-timeout"),
            Map.entry("runTimeout", "--run-timeout"),
            Map.entry("cleanup", "--cleanup"));

    private TaskFlags() {}

    /** The flag for a field such as {@code podOverride.spec.containers[0].envv}: {@code --pod-override}. */
    static String flagOf(String field) {
        String head = head(field);
        return FLAG_BY_FIELD.getOrDefault(head, field);
    }

    /** The error as the command line should say it: {@code --pod-override: spec.containers[0].envv: problem}. */
    static IllegalArgumentException onCommandLine(InvalidTaskException e) {
        String field = e.field();
        String problem =
                e.getMessage().startsWith(field + ": ") ? e.getMessage().substring(field.length() + 2) : e.getMessage();
        String head = head(field);
        String flag = FLAG_BY_FIELD.get(head);
        if (flag == null) {
            return new IllegalArgumentException(e.getMessage(), e);
        }
        String rest = field.substring(head.length()).replaceFirst("^\\.", "");
        return new IllegalArgumentException(flag + ": " + (rest.isEmpty() ? "" : rest + ": ") + problem, e);
    }

    private static String head(String field) {
        int cut = field.length();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '.' || c == '[') {
                cut = i;
                break;
            }
        }
        return field.substring(0, cut);
    }
}
