package dev.drover.cli;

/**
 * A subcommand of {@code drover} that lives in another jar on the class path — the dev tools'
 * {@code demo}, {@code sim} and {@code testground} — found with {@link java.util.ServiceLoader}:
 * a public picocli {@code @Command} class with a public no-argument constructor, named in {@code
 * META-INF/services/dev.drover.cli.ExtraCommand}.
 */
public interface ExtraCommand {}
