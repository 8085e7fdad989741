package dev.drover.core.store;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The {@link LogArchive} in a directory: {@code <dir>/<task>/<try>/<container>.log.gz} (the chunks
 * one after the other: a gzip file {@code zcat} reads) and {@code <container>.log.properties} (what
 * {@link ArchivedLog} tells, and each chunk's compressed size, so a tail reads the last chunks
 * only). Both are written to temporary files, forced to disk and moved into place, the data first.
 * A reader racing a replace of the same container may fail (the sizes no longer fit the data) and
 * should read again; the engine archives a container once.
 */
final class DirectoryLogArchive extends ChunkedLogArchive {
    private static final String DATA = ".log.gz";
    private static final String META = ".log.properties";

    private final Path root;

    DirectoryLogArchive(Path root, Clock clock) {
        super(clock);
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public ArchivedLog store(String taskId, int tryNumber, String container, InputStream in, long capBytes)
            throws IOException {
        LogKeys.check(taskId, tryNumber, container);
        Path dir = Files.createDirectories(tryDir(taskId, tryNumber));
        Path data = Files.createTempFile(dir, container + ".", DATA + ".tmp");
        try {
            List<Integer> sizes = new ArrayList<>();
            LogChunks.Written written;
            try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
                written = LogChunks.write(in, capBytes, (seq, gzip) -> {
                    out.write(gzip);
                    sizes.add(gzip.length);
                });
                out.flush();
                channel.force(true);
            }
            ArchivedLog log = archived(taskId, tryNumber, container, written);
            Path meta = writeMeta(dir, log, sizes);
            Files.move(data, dir.resolve(container + DATA), StandardCopyOption.ATOMIC_MOVE);
            Files.move(meta, dir.resolve(container + META), StandardCopyOption.ATOMIC_MOVE);
            return log;
        } finally {
            Files.deleteIfExists(data);
        }
    }

    @Override
    public ArchivedLog unavailable(String taskId, int tryNumber, String container, String reason) {
        ArchivedLog log = unavailableLog(taskId, tryNumber, container, reason);
        try {
            Path dir = Files.createDirectories(tryDir(taskId, tryNumber));
            Path meta = writeMeta(dir, log, List.of());
            // the record first: a reader then finds no text to read, never a record without its data
            Files.move(meta, dir.resolve(container + META), StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(dir.resolve(container + DATA));
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    LogKeys.describe(taskId, tryNumber, container) + ": cannot record it as unavailable in " + root
                            + ": " + e.getMessage(),
                    e);
        }
    }

    private static Path writeMeta(Path dir, ArchivedLog log, List<Integer> sizes) throws IOException {
        Properties p = new Properties();
        p.setProperty("originalBytes", Long.toString(log.originalBytes()));
        p.setProperty("storedBytes", Long.toString(log.storedBytes()));
        p.setProperty("cutBytes", Long.toString(log.cutBytes()));
        p.setProperty("archivedAt", log.archivedAt().toString());
        if (log.unavailable() != null) {
            p.setProperty("unavailable", log.unavailable());
        }
        StringBuilder chunks = new StringBuilder();
        for (int size : sizes) {
            chunks.append(chunks.isEmpty() ? "" : ",").append(size);
        }
        p.setProperty("chunkBytes", chunks.toString());
        StringWriter text = new StringWriter();
        p.store(text, "drover log archive: " + log.container() + DATA);
        Path meta = Files.createTempFile(dir, log.container() + ".", META + ".tmp");
        try (FileChannel channel = FileChannel.open(meta, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(meta);
            throw e;
        }
        return meta;
    }

    @Override
    @Nullable
    Found open(String taskId, int tryNumber, String container) throws IOException {
        Path dir = tryDir(taskId, tryNumber);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(container + META), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return null;
        }
        ArchivedLog log = new ArchivedLog(
                taskId,
                tryNumber,
                container,
                Long.parseLong(p.getProperty("originalBytes", "0")),
                Long.parseLong(p.getProperty("storedBytes", "0")),
                Long.parseLong(p.getProperty("cutBytes", "0")),
                p.getProperty("unavailable"),
                Instant.parse(p.getProperty("archivedAt")));
        String listed = p.getProperty("chunkBytes", "");
        String[] sizes = listed.isEmpty() ? new String[0] : listed.split(",");
        long[] offsets = new long[sizes.length + 1]; // chunk i is [offsets[i], offsets[i + 1])
        for (int i = 0; i < sizes.length; i++) {
            offsets[i + 1] = offsets[i] + Long.parseLong(sizes[i]);
        }
        Path data = dir.resolve(container + DATA);
        return new Found() {
            private @Nullable FileChannel channel;

            @Override
            public ArchivedLog log() {
                return log;
            }

            @Override
            public int chunks() {
                return offsets.length - 1;
            }

            @Override
            public byte[] chunk(int seq) throws IOException {
                if (channel == null) {
                    channel = FileChannel.open(data, StandardOpenOption.READ);
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) (offsets[seq + 1] - offsets[seq]));
                long at = offsets[seq];
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, at);
                    if (n < 0) {
                        throw new EOFException(data + " is shorter than its record says; it was replaced while"
                                + " it was read? read it again");
                    }
                    at += n;
                }
                return buffer.array();
            }

            @Override
            public void close() throws IOException {
                if (channel != null) {
                    channel.close();
                }
            }
        };
    }

    @Override
    public List<ArchivedLog> list(String taskId) {
        LogKeys.check(taskId);
        Path task = root.resolve(taskId);
        List<ArchivedLog> out = new ArrayList<>();
        try (DirectoryStream<Path> tries =
                Files.newDirectoryStream(task, p -> p.getFileName().toString().matches("[1-9][0-9]{0,8}"))) {
            for (Path tryDir : tries) {
                int tryNumber = Integer.parseInt(tryDir.getFileName().toString());
                try (DirectoryStream<Path> metas = Files.newDirectoryStream(tryDir, "*" + META)) {
                    for (Path meta : metas) {
                        String name = meta.getFileName().toString();
                        String container = name.substring(0, name.length() - META.length());
                        if (LogKeys.isContainer(container)) {
                            find(taskId, tryNumber, container).ifPresent(out::add);
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot list the logs of task " + taskId + " in " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingInt(ArchivedLog::tryNumber).thenComparing(ArchivedLog::container));
        return out;
    }

    @Override
    public void delete(String taskId) {
        LogKeys.check(taskId);
        Path task = root.resolve(taskId);
        try (Stream<Path> files = Files.walk(task)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // nothing archived
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot delete the logs of task " + taskId + " in " + root + ": " + e.getMessage(), e);
        }
    }

    private Path tryDir(String taskId, int tryNumber) {
        return root.resolve(taskId).resolve(Integer.toString(tryNumber));
    }
}
