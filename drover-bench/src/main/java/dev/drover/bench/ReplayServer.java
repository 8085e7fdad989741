package dev.drover.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays back a recorded pod list and watch stream over plain HTTP on loopback as fast as the
 * client reads: any GET answers the list, the first watch answers the recorded events, later
 * watches stay open and quiet. This isolates a client's cost of decoding and applying events from
 * the apiserver's cost of producing them.
 */
final class ReplayServer implements AutoCloseable {
    private final HttpServer server;
    private final byte[] list;
    private final byte[] watch;
    private final AtomicInteger watches = new AtomicInteger();
    private final AtomicLong streamStartNanos = new AtomicLong();
    private final CountDownLatch closing = new CountDownLatch(1);

    ReplayServer(byte[] list, byte[] watch) throws IOException {
        this.list = list;
        this.watch = watch;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** When the recorded stream began to be written (System.nanoTime), 0 before. */
    long streamStartNanos() {
        return streamStartNanos.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String q = ex.getRequestURI().getRawQuery();
            boolean isWatch = q != null && q.contains("watch=true");
            if (ex.getRequestURI().getPath().equals("/version")) {
                reply(ex, "{\"major\":\"1\",\"minor\":\"20\",\"gitVersion\":\"v1.20.2\"}".getBytes());
                return;
            }
            if (isWatch && "websocket".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Upgrade"))) {
                ex.sendResponseHeaders(400, -1); // plain streaming watches only
                return;
            }
            if (!isWatch) {
                reply(ex, list);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            if (watches.getAndIncrement() == 0) {
                streamStartNanos.set(System.nanoTime());
                for (int off = 0; off < watch.length; off += 64 * 1024) {
                    out.write(watch, off, Math.min(64 * 1024, watch.length - off));
                }
                out.flush();
            } else {
                out.flush();
                closing.await(60, TimeUnit.SECONDS); // a quiet watch until we stop
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientWentAway) {
            // a client closing its watch mid-stream
        }
    }

    private static void reply(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
