package dev.drover.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** A Server-Sent Events reader for the tests: each event's id and JSON data, in the order they came. */
final class SseClient implements AutoCloseable {
    record Event(long id, JsonNode data) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile Stream<String> lines;
    final int status;

    SseClient(String url, String token, @Nullable String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> r =
                    HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines());
            status = r.statusCode();
            lines = r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        reader = Thread.ofVirtual().start(this::read);
    }

    private void read() {
        long[] id = {-1};
        StringBuilder data = new StringBuilder();
        try {
            lines.forEach(line -> {
                if (line.startsWith("id: ")) {
                    id[0] = Long.parseLong(line.substring(4));
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                } else if (line.isEmpty() && !data.isEmpty()) {
                    try {
                        events.add(new Event(id[0], ApiClient.JSON.readTree(data.toString())));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    data.setLength(0);
                }
            });
        } catch (RuntimeException e) {
            // closed
        }
    }

    /** The next event, waiting up to {@code wait}; null when none came. */
    @Nullable
    Event next(Duration wait) throws InterruptedException {
        return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
