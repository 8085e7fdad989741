package dev.drover.cli;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.util.Set;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * How a failed command ends: one line on stderr, {@code drover: <what>: <cause>}, and exit 2 for
 * bad input and for what is outside Drover (store, kubeconfig, apiserver); exit 1 for anything
 * else (a bug). {@code --debug} adds the stack trace.
 */
final class ErrorReport implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 2;
    static final int BUG = 1;
    // By name: the error path should not load fabric8 or drover-kube just to ask.
    private static final Set<String> APISERVER_ERRORS =
            Set.of("io.fabric8.kubernetes.client.KubernetesClientException", "dev.drover.kube.ApiException");

    record Line(String text, int exitCode) {}

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean debug = debugAsked(parsed);
        Line line = describe(e);
        err.println("drover: " + line.text() + (line.exitCode() == BUG && !debug ? " (--debug shows where)" : ""));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return line.exitCode();
    }

    static Line describe(Throwable e) {
        if (e instanceof CliFailure f) {
            return new Line(
                    f.getCause() == null || f.saysItAll()
                            ? f.getMessage()
                            : f.getMessage() + ": " + cause(f.getCause()),
                    FAILED);
        }
        if (e instanceof IllegalArgumentException) {
            return new Line(firstLine(e.getMessage()), FAILED);
        }
        if (find(e, SQLException.class) != null) {
            return new Line("task store: " + cause(e), FAILED);
        }
        if (isApiServerError(e)) {
            return new Line("apiserver: " + cause(e), FAILED);
        }
        return new Line("unexpected error: " + e.getClass().getSimpleName() + ": " + cause(e), BUG);
    }

    /** The most telling message in the chain: a database's own, else the innermost one. */
    static String cause(Throwable e) {
        SQLException sql = find(e, SQLException.class);
        if (sql != null && sql.getMessage() != null) {
            return firstLine(sql.getMessage());
        }
        Throwable innermost = e;
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpTimeoutException) {
                // the JDK's HTTP client often gives these no message, and its callers a useless one
                String what = t instanceof ConnectException ? "cannot connect" : "timed out";
                return t.getMessage() == null || t.getMessage().isBlank() ? what : what + " (" + t.getMessage() + ")";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                innermost = t;
                message = t.getMessage();
            }
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        if (innermost instanceof UnknownHostException) {
            return "unknown host " + message;
        }
        return firstLine(message);
    }

    private static boolean isApiServerError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (APISERVER_ERRORS.contains(t.getClass().getName())
                    || t instanceof ConnectException
                    || t instanceof UnknownHostException
                    || t instanceof HttpTimeoutException
                    || t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static boolean debugAsked(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
