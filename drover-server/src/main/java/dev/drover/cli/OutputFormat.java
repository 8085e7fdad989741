package dev.drover.cli;

/** How a command prints its result: for people, or one JSON document for scripts. */
public enum OutputFormat {
    text,
    json
}
