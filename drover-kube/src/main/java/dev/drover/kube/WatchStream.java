package dev.drover.kube;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An open watch whose events a reader thread decodes into a queue as they arrive. The queue lets a
 * lister open the watch early and buffer its events while the remaining list pages load.
 */
final class WatchStream<T extends KubeObject> implements AutoCloseable {
    private final InputStream body;
    private final LinkedBlockingQueue<WatchEvent<T>> queue = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    private WatchStream(InputStream body, StreamDecoder<T> decoder, String name) {
        this.body = body;
        // A platform thread, like the informer's: the stream must be read as it comes.
        this.reader = Thread.ofPlatform().daemon().name("watch-" + name).start(() -> read(decoder));
    }

    static <T extends KubeObject> WatchStream<T> open(InputStream body, StreamDecoder<T> decoder, String name) {
        return new WatchStream<>(body, decoder, name);
    }

    private void read(StreamDecoder<T> decoder) {
        try (JsonParser p = decoder.watchParser(body)) {
            WatchEvent<T> e;
            while (!closed && (e = decoder.next(p)) != null) {
                queue.add(e);
            }
            queue.add(new WatchEvent.End<>(null));
        } catch (IOException | RuntimeException e) {
            queue.add(new WatchEvent.End<>(closed ? null : e));
        }
    }

    /** The next event, waiting at most {@code timeout}; null if none came. */
    @Nullable
    WatchEvent<T> poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        try {
            body.close();
        } catch (IOException ignored) {
            // closing a dead stream
        }
        reader.interrupt();
    }
}
