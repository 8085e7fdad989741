package dev.drover.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The floor every contender has to read: plain GETs of each namespace's pods read to the end and
 * thrown away, nothing kept. {@code raw-get-rv0}: one GET at resourceVersion=0 (the watch cache);
 * {@code raw-get}: one unpaginated consistent GET (etcd); {@code raw-get-paged}: consistent GETs in
 * pages (limit/continue), where only the list's metadata, which the apiserver writes before the items,
 * is decoded for the continue token.
 */
final class RawGetSync implements ContenderRun.Sync {
    /** Which request pattern. */
    enum Read {
        WATCH_CACHE,
        CONSISTENT,
        PAGED
    }

    private static final JsonFactory JSON = new JsonFactory();
    private final KubeHttp http;
    private final List<String> namespaces;
    private final Read read;
    private final int pageSize;
    private long bytes;

    RawGetSync(ContenderRun.Target t, List<String> namespaces, Read read) {
        this.http = new KubeHttp(t.server(), t.token(), "drover-bench-raw");
        this.namespaces = namespaces;
        this.read = read;
        this.pageSize = t.pageSize();
    }

    @Override
    public void start() throws IOException, InterruptedException {
        byte[] buf = new byte[64 * 1024];
        for (String ns : namespaces) {
            String cont = null;
            do {
                try (InputStream in = http.open(KubeHttp.podsPath(ns) + query(cont))) {
                    if (read == Read.PAGED) {
                        try (JsonParser p = JSON.createParser(in)) {
                            cont = continueToken(p);
                            // What the parser read so far: its position plus what it buffered beyond it.
                            bytes += p.currentLocation().getByteOffset()
                                    + p.releaseBuffered(OutputStream.nullOutputStream());
                            drain(in, buf);
                        }
                    } else {
                        drain(in, buf);
                    }
                }
            } while (cont != null && !cont.isEmpty());
        }
    }

    private String query(String cont) {
        return switch (read) {
            case WATCH_CACHE -> "?resourceVersion=0";
            case CONSISTENT -> "";
            case PAGED ->
                "?limit=" + pageSize
                        + (cont == null ? "" : "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8));
        };
    }

    private void drain(InputStream in, byte[] buf) throws IOException {
        int n;
        while ((n = in.read(buf)) >= 0) {
            bytes += n;
        }
    }

    /** Reads up to the end of the list's metadata object; returns its continue token. */
    private static String continueToken(JsonParser p) throws IOException {
        p.nextToken(); // the list object
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (!field.equals("metadata")) {
                p.skipChildren();
                continue;
            }
            String cont = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String m = p.currentName();
                p.nextToken();
                if (m.equals("continue")) {
                    cont = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            return cont;
        }
        return null;
    }

    @Override
    public boolean awaitSynced(Duration timeout) {
        return true; // start() returns when the last byte is read
    }

    @Override
    public int size() {
        return -1;
    }

    @Override
    public long bodyBytes() {
        return bytes;
    }

    @Override
    public void close() {
        http.close();
    }
}
