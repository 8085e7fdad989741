package dev.drover.cli;

/**
 * Something outside the command line failed (the store, the kubeconfig, the apiserver): printed as
 * one line, {@code drover: <what>: <cause>}, exit 2; {@code --debug} adds the stack trace.
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param what what failed, e.g. "task store jdbc:postgresql://db/drover" */
    public CliFailure(String what, Throwable cause) {
        super(what, cause);
    }

    /** A failure whose message says it all. */
    public CliFailure(String message) {
        super(message);
    }

    private boolean saysItAll;

    /** A failure whose message says it all, with its cause kept for --debug only. */
    static CliFailure saying(String message, Throwable cause) {
        CliFailure f = new CliFailure(message, cause);
        f.saysItAll = true;
        return f;
    }

    boolean saysItAll() {
        return saysItAll;
    }
}
