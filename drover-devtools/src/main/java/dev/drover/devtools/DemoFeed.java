package dev.drover.devtools;

import dev.drover.core.Task;
import dev.drover.kube.Delta;
import dev.drover.kube.EventView;
import java.io.PrintStream;

/** What the demo prints while it runs (text output only): task state changes and pod warnings, timed. */
final class DemoFeed {
    private final boolean on;
    private final PrintStream out;
    private final long t0 = System.nanoTime();

    DemoFeed(boolean on, PrintStream out) {
        this.on = on;
        this.out = out;
    }

    void say(String fmt, Object... args) {
        if (on) {
            out.println(String.format(fmt, args));
        }
    }

    void taskChanged(String sample, Task t) {
        timed("task  %-20s %-12s %s", sample, t.state(), t.reason() == null ? "" : t.reason());
    }

    /** Pod Events other than Normal ones: pulls that fail, back-offs, kills. */
    void event(Delta<EventView> d) {
        EventView e = switch (d) {
            case Delta.Added<EventView> a -> a.object();
            case Delta.Modified<EventView> m -> m.object();
            default -> null;
        };
        if (e != null && "Pod".equals(e.involvedKind()) && !"Normal".equals(e.type())) {
            timed(
                    "event %-20s %-8s %-12s %s%s",
                    e.involvedName(), e.type(), e.reason(), e.message(), e.count() > 1 ? " (x" + e.count() + ")" : "");
        }
    }

    private void timed(String fmt, Object... args) {
        if (on) {
            double s = (System.nanoTime() - t0) / 1e9;
            synchronized (out) {
                out.printf("[%6.1fs] %s%n", s, String.format(fmt, args));
            }
        }
    }
}
