package dev.drover.bench;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stderr for long waits, at most one every two seconds per counter. */
final class Progress {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;
    private long lastTick;
    private boolean finishedSaid;

    Progress(PrintStream out) {
        this.out = out;
    }

    static Progress stderr() {
        return new Progress(System.err);
    }

    synchronized void say(String fmt, Object... args) {
        out.println(LocalTime.now().format(TIME) + " " + String.format(fmt, args));
        out.flush();
    }

    void tick(String what, long done, long total) {
        long now = System.nanoTime();
        synchronized (this) {
            boolean finished = done >= total;
            if (finished ? finishedSaid : now - lastTick < 2_000_000_000L) {
                return;
            }
            finishedSaid = finished;
            lastTick = now;
        }
        say("  %s: %,d / %,d", what, done, total);
    }

    synchronized void done() {
        lastTick = 0;
        finishedSaid = false;
    }
}
