package dev.drover.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on a free loopback port in front of a server (the apiserver), so a test can drop
 * every connection at once — a network that fails mid-stream — and, if it wants, refuse new ones
 * for a while. It only copies bytes: TLS stays end to end, and the test ground's certificate names
 * 127.0.0.1, so a client pointed at {@link #url()} verifies it as usual.
 *
 * <pre>{@code
 * try (TcpProxy proxy = new TcpProxy(ground.apiServerPort())) {
 *     KubeApi api = ...(proxy.url(), ground.adminToken());
 *     proxy.cutAll(); // every open connection is closed; the next ones get through
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean refusing;

    /** Forwards to {@code 127.0.0.1:targetPort}. */
    public TcpProxy(int targetPort) {
        this(InetAddress.getLoopbackAddress().getHostAddress(), targetPort);
    }

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on a loopback port: " + e.getMessage(), e);
        }
        Thread.ofVirtual().name("tcp-proxy-" + server.getLocalPort()).start(this::accept);
    }

    /** The loopback port this proxy listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code https://127.0.0.1:<port>}: the apiserver's URL through this proxy. */
    public String url() {
        return "https://127.0.0.1:" + port();
    }

    /** Connections accepted so far (refused ones included). */
    public long accepted() {
        return accepted.get();
    }

    /** Closes every open connection at once (both sides); new connections get through as before. */
    public void cutAll() {
        cut(false);
    }

    /** Closes every open connection; while {@code refuse} holds, new ones are closed as they arrive. */
    public void cut(boolean refuse) {
        refusing = refuse;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Lets new connections through again after {@code cut(true)}. */
    public void heal() {
        refusing = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                closeQuietly(client); // the target does not answer: the client sees its connection close
            }
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException cut) {
            // one side closed or was cut: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cut(true);
    }
}
