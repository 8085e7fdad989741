package dev.drover.core.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;

/**
 * Each chunk of an archived log is a gzip member of its own: read alone for a tail, and the chunks
 * of a log one after the other are a valid gzip file ({@code zcat} reads a directory archive). One
 * instance per log written, for its one {@link Deflater}; not thread-safe.
 */
final class Gzip implements AutoCloseable {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final CRC32 crc = new CRC32();
    private final byte[] buffer = new byte[64 * 1024];

    byte[] compress(byte[] bytes, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
        out.writeBytes(HEADER);
        deflater.reset();
        deflater.setInput(bytes, offset, length);
        deflater.finish();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        crc.reset();
        crc.update(bytes, offset, length);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, length);
        return out.toByteArray();
    }

    static byte[] decompress(byte[] member) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(member), 16 * 1024)) {
            return in.readAllBytes();
        }
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    @Override
    public void close() {
        deflater.end();
    }
}
