package dev.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Option;

/** What every subcommand shares: the output format and the smoke switch. */
final class OutputOptions {
    enum Format {
        table,
        json
    }

    @Option(
            names = "--output",
            defaultValue = "table",
            description = "table (default) or json; either goes to stdout, progress to stderr.")
    Format output;

    @Option(names = "--smoke", description = "A small, quick run (well under a minute) to check that everything works.")
    boolean smoke;

    @Option(names = "--save-json", description = "Also write the full JSON report to this file.")
    java.nio.file.Path saveJson;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    void print(Object report, String table) throws Exception {
        if (saveJson != null) {
            JSON.writeValue(saveJson.toFile(), report);
        }
        if (output == Format.json) {
            System.out.println(JSON.writeValueAsString(report));
        } else {
            System.out.print(table);
        }
        System.out.flush();
    }
}
