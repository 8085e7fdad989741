package dev.drover.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A streamed answer whose status goes out with its first byte: until something is written, a
 * failure can still be answered as a problem. A flush before any byte sends nothing.
 */
final class LazyStream extends OutputStream {
    private final Call call;
    private final String contentType;
    private OutputStream out;

    LazyStream(Call call, String contentType) {
        this.call = call;
        this.contentType = contentType;
    }

    boolean started() {
        return out != null;
    }

    private OutputStream out() throws IOException {
        if (out == null) {
            out = call.stream(200, contentType);
        }
        return out;
    }

    @Override
    public void write(int b) throws IOException {
        out().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** Ends the answer: an empty one when nothing was written. */
    @Override
    public void close() throws IOException {
        out().close();
    }
}
