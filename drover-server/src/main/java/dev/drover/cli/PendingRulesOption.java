package dev.drover.cli;

import dev.drover.core.Drover;
import dev.drover.core.PendingRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --pending-rules FILE}: the rules for pods that wait to start, in place of Drover's defaults. */
final class PendingRulesOption {
    @Option(
            names = "--pending-rules",
            paramLabel = "FILE",
            description = "A YAML list of pending rules (name, reasons, message, eventReasons, grace, action) that"
                    + " replaces the defaults; see the README's \"Pending rules\".")
    Path file;

    private List<PendingRule> rules;

    /** The value {@code --config} gives when its file holds the rules inline: {@code drover.yaml#pendingRules}. */
    static final String IN_CONFIG = "#pendingRules";

    /**
     * The file's rules, read and checked once (null: none given, the defaults hold). A bad file is an
     * error naming it, the rule and the field: {@code --pending-rules r.yaml: pendingRules[1]
     * (stuck-mount).grace: '5x' is not a duration; …}.
     */
    List<PendingRule> rules() {
        if (file == null || rules != null) {
            return rules;
        }
        String name = file.toString();
        boolean inConfig = name.endsWith(IN_CONFIG);
        Path read = inConfig ? Path.of(name.substring(0, name.length() - IN_CONFIG.length())) : file;
        String flag = inConfig ? "--config" : "--pending-rules";
        String text;
        try {
            text = Files.readString(read);
            if (inConfig) {
                text = "pendingRules: "
                        + new com.fasterxml.jackson.databind.ObjectMapper()
                                .writeValueAsString(new com.fasterxml.jackson.databind.ObjectMapper(
                                                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                                        .readTree(text)
                                        .get("pendingRules"));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + read + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + read + ": cannot read it (" + e + ")", e);
        }
        try {
            rules = PendingRule.fromYaml(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + read + ": " + e.getMessage(), e);
        }
        return rules;
    }

    /** {@code b} with the file's rules, if one was given. */
    Drover.Builder applyTo(Drover.Builder b) {
        List<PendingRule> r = rules();
        return r == null ? b : b.pendingRules(r);
    }
}
