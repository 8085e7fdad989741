package dev.drover.core;

import java.util.Locale;
import java.util.regex.Pattern;

/** Scheduler ids: written as a label value on every pod, so they must be one. */
final class SchedulerIds {
    private static final Pattern VALID = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    private SchedulerIds() {}

    static String check(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException("schedulerId '" + id + "' must be a valid label value: at most 63"
                    + " lower-case letters, digits, '-' or '.', starting and ending with a letter or digit,"
                    + " e.g. etl-scheduler-1");
        }
        return id;
    }

    /** A valid id from a host name: lower case, other characters as '-', cut to 63, trimmed again. */
    static String fromHost(String host) {
        String id = trimEnds(host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-"));
        if (id.length() > 63) {
            id = trimEnds(id.substring(0, 63)); // a cut may leave a '-' or '.' at the end
        }
        return id.isEmpty() ? "drover" : id;
    }

    /**
     * A new id for each process: the host's part (cut to leave room) and 5 random characters, so two
     * processes on one host, or a restarted one, never share an id.
     */
    static String generated(String host) {
        String base = fromHost(host);
        if (base.length() > 57) {
            base = trimEnds(base.substring(0, 57));
        }
        return (base.isEmpty() ? "drover" : base) + "-" + TaskIds.next().substring(9);
    }

    static String hostName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "drover";
            }
        }
        return host;
    }

    private static String trimEnds(String s) {
        return s.replaceAll("^[-.]+|[-.]+$", "");
    }
}
