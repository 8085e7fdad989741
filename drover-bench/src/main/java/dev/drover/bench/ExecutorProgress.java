package dev.drover.bench;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines of the executor benchmark on stderr, a counter at most every two seconds. */
final class ExecutorProgress {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;
    private long lastTick;

    ExecutorProgress(PrintStream out) {
        this.out = out;
    }

    static ExecutorProgress stderr() {
        return new ExecutorProgress(System.err);
    }

    synchronized void say(String fmt, Object... args) {
        out.println(LocalTime.now().format(TIME) + " " + String.format(fmt, args));
        out.flush();
    }

    void tick(String what, long done, long total) {
        long now = System.nanoTime();
        synchronized (this) {
            if (done < total && now - lastTick < 2_000_000_000L) {
                return;
            }
            lastTick = now;
        }
        say("  %s: %,d / %,d", what, done, total);
    }
}
