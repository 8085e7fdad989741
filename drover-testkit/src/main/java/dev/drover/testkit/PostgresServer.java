package dev.drover.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL 15 (Debian's {@code postgresql-15}, installed on first use when missing)
 * on a free loopback port, in a temporary directory, with trust authentication for the superuser
 * {@code postgres}, fast and still true to every commit it confirmed as long as the machine stays up
 * (see {@link #SETTINGS}).
 *
 * <pre>{@code
 * String url = PostgresServer.shared().createDatabase("orders_test"); // jdbc:postgresql://…?user=postgres
 * }</pre>
 *
 * <p>No server outlives its JVM: {@link #stop()} (or a shutdown hook) stops it with {@code pg_ctl
 * stop -m fast}; a watchdog shell stops it within a second of the JVM's death, even on SIGKILL;
 * and every start reaps servers that a dead JVM left in {@code $TMPDIR/drover-postgres}. Set
 * {@code -Ddrover.testground.keep=true} to keep a stopped server's directory (its log) until the
 * next start.
 *
 * <p>initdb refuses to run as root, so as root the server runs as the {@code postgres} user
 * ({@code runuser}); as any other user it runs as that user.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String PACKAGE = "postgresql-15";
    private static final String SUPERUSER = "postgres";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    // $1 = owner pid, $2 = pg_ctl, $3 = data dir, $4 = instance dir, then the prefix that runs as the
    // server's user. Ignores terminal signals; stop() ends it with SIGKILL.
    private static final String WATCHDOG = "trap '' INT HUP TERM QUIT; owner=$1; pgctl=$2; data=$3; dir=$4; shift 4; "
            + "while kill -0 \"$owner\" 2>/dev/null; do sleep 1; done; "
            + "\"$@\" \"$pgctl\" -D \"$data\" stop -m immediate -w >/dev/null 2>&1; rm -rf \"$dir\"";

    private static PostgresServer shared;

    private final Path dir;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final Process watchdog;
    private final boolean isShared;
    private Thread shutdownHook;
    /**
     * No fsync (a machine crash may lose data; nothing here outlives the machine), but each commit's
     * WAL is written before the commit is confirmed ({@code synchronous_commit} stays on): a server
     * that crashes ({@link #takeDown()}) keeps every commit a client was told of, as a real one
     * does. With it off, an outage test saw a confirmed commit vanish.
     */
    static final String SETTINGS = " -c fsync=off -c full_page_writes=off";

    private boolean stopped;

    private PostgresServer(Path dir, Path dataDir, Path logFile, int port, Process watchdog, boolean isShared) {
        this.dir = dir;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.port = port;
        this.watchdog = watchdog;
        this.isShared = isShared;
    }

    /** A new server of its own; stop it with {@link #stop()} or try-with-resources. ~1-2 s. */
    public static PostgresServer start() {
        return start(false);
    }

    /**
     * The server shared by every test of this JVM, started on first call and stopped when the JVM
     * exits; {@link #close()} on it does nothing. Give each test its own {@link #createDatabase}.
     */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(true);
        }
        return shared;
    }

    private static PostgresServer start(boolean isShared) {
        try {
            ensureInstalled();
            Path base = baseDir();
            reapLeftovers(base);
            Path dir = base.resolve("pg-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("owner"), ownerLine(ProcessHandle.current()));
            Path data = Files.createDirectory(dir.resolve("data"));
            Path logFile = Files.createFile(dir.resolve("postgres.log"));
            giveToServerUser(data);
            giveToServerUser(logFile);
            run(
                    asServerUser(List.of(
                            BIN.resolve("initdb").toString(),
                            "-D",
                            data.toString(),
                            "-U",
                            SUPERUSER,
                            "--auth=trust",
                            "--no-locale",
                            "--encoding=UTF8",
                            "--no-sync",
                            "--no-instructions")),
                    dir.resolve("initdb.log"),
                    Duration.ofMinutes(2));
            Process watchdog = startWatchdog(data, dir);
            PostgresServer server = null;
            try {
                server = startOnFreePort(dir, data, logFile, watchdog, isShared);
            } finally {
                if (server == null) {
                    watchdog.destroyForcibly();
                    deleteTree(dir);
                }
            }
            server.shutdownHook = new Thread(server::stopNow, "drover-postgres-stop");
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            log.info("PostgreSQL 15 on 127.0.0.1:{} in {}", server.port, dir);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static PostgresServer startOnFreePort(Path dir, Path data, Path logFile, Process watchdog, boolean isShared)
            throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            try {
                pgStart(dir, data, logFile, port, "pg_ctl.log");
                return new PostgresServer(dir, data, logFile, port, watchdog, isShared);
            } catch (IOException e) {
                last = e;
                String serverLog = Files.readString(logFile);
                if (!serverLog.contains("could not bind") && !serverLog.contains("already in use")) {
                    throw new IOException(e.getMessage() + "\n" + tail(serverLog), e);
                }
                log.info("port {} was taken; trying another", port);
            }
        }
        throw last;
    }

    /** The {@code postgres} database, as the superuser: {@code jdbc:postgresql://127.0.0.1:P/postgres?user=postgres}. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** A database of this server, as the superuser (no password). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    /** Creates an empty database and returns its JDBC URL (user in the URL, no password). */
    public String createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name '" + name + "' must be lower-case letters, digits and"
                    + " '_', starting with a letter or '_', at most 63");
        }
        psql("CREATE DATABASE " + name);
        return jdbcUrl(name);
    }

    /** Creates an empty database with a name of its own and returns its JDBC URL. */
    public String createDatabase() {
        return createDatabase("test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    }

    /** Runs SQL in the {@code postgres} database with {@code psql}; returns its unaligned output. */
    public String psql(String sql) {
        List<String> cmd = List.of(
                BIN.resolve("psql").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-U",
                SUPERUSER,
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-c",
                sql);
        try {
            Path out = Files.createTempFile("drover-psql", ".out");
            try {
                run(cmd, out, Duration.ofMinutes(1));
                return Files.readString(out).strip();
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("psql failed: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return SUPERUSER;
    }

    /** Trust authentication: any password, or none, is accepted. */
    public String password() {
        return "";
    }

    /** The server's log. */
    public Path logFile() {
        return logFile;
    }

    /**
     * An outage: the server crashes at once (immediate stop: open connections break, no checkpoint),
     * every confirmed commit kept; {@link
     * #bringUp()} starts it again on the same port.
     */
    public synchronized void takeDown() throws IOException {
        run(
                asServerUser(List.of(
                        BIN.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop")),
                dir.resolve("pg_ctl-down.log"),
                Duration.ofSeconds(40));
    }

    /** Starts the server again after {@link #takeDown()}, on the same port and data. */
    public synchronized void bringUp() throws IOException {
        pgStart(dir, dataDir, logFile, port, "pg_ctl-up.log");
    }

    /** {@code pg_ctl start} on loopback {@code port}, waiting until the server takes connections. */
    private static void pgStart(Path dir, Path data, Path logFile, int port, String ctlLog) throws IOException {
        run(
                asServerUser(List.of(
                        BIN.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        logFile.toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1" + SETTINGS,
                        "start")),
                dir.resolve(ctlLog),
                Duration.ofSeconds(90));
    }

    /** Stops the server (fast shutdown: open connections are closed) and deletes its directory. */
    public void stop() {
        stopNow();
        Thread hook;
        synchronized (this) {
            hook = shutdownHook;
            shutdownHook = null;
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook is running or has run
            }
        }
    }

    /** Stops a server of its own; does nothing on the {@link #shared()} one, which stops at JVM exit. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private synchronized void stopNow() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            run(
                    asServerUser(List.of(
                            BIN.resolve("pg_ctl").toString(),
                            "-D",
                            dataDir.toString(),
                            "-m",
                            "fast",
                            "-w",
                            "-t",
                            "30",
                            "stop")),
                    dir.resolve("pg_ctl-stop.log"),
                    Duration.ofSeconds(40));
        } catch (IOException e) {
            log.warn("pg_ctl stop failed ({}); stopping PostgreSQL immediately", e.getMessage());
            stopImmediately(dataDir);
        }
        watchdog.destroyForcibly();
        if (!Boolean.getBoolean("drover.testground.keep")) {
            deleteTree(dir);
        }
    }

    private static Process startWatchdog(Path data, Path dir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "bash",
                "-c",
                WATCHDOG,
                "drover-postgres-watchdog",
                Long.toString(ProcessHandle.current().pid()),
                BIN.resolve("pg_ctl").toString(),
                data.toString(),
                dir.toString()));
        cmd.addAll(asServerUser(List.of()));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
    }

    /**
     * Stops servers whose owning JVM is gone and deletes their directories. The owner file holds the
     * JVM's pid and start time, so a reused pid does not keep a leftover alive.
     */
    static int reapLeftovers(Path base) {
        int reaped = 0;
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("pg-"))
                    .toList()) {
                if (ownerAlive(d.resolve("owner"))) {
                    continue;
                }
                Path data = d.resolve("data");
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    log.info("stopping leftover PostgreSQL in {}", d);
                    stopImmediately(data);
                    reaped++;
                }
                deleteTree(d);
            }
        } catch (IOException e) {
            log.warn("could not reap leftover PostgreSQL servers in {}: {}", base, e.toString());
        }
        return reaped;
    }

    private static boolean ownerAlive(Path ownerFile) {
        try {
            String[] parts = Files.readString(ownerFile).trim().split("\\s+", 2);
            Optional<ProcessHandle> owner = ProcessHandle.of(Long.parseLong(parts[0]));
            return owner.filter(ProcessHandle::isAlive)
                    .map(PostgresServer::ownerLine)
                    .map(line -> line.trim().equals(String.join(" ", parts)))
                    .orElse(false);
        } catch (IOException | RuntimeException e) {
            // no owner file: a start that died before writing it, or a foreign directory; only old ones are reaped
            try {
                return Files.getLastModifiedTime(ownerFile.getParent())
                        .toInstant()
                        .isAfter(Instant.now().minus(Duration.ofMinutes(5)));
            } catch (IOException gone) {
                return false;
            }
        }
    }

    private static String ownerLine(ProcessHandle h) {
        return h.pid() + " " + h.info().startInstant().map(Instant::toString).orElse("?") + "\n";
    }

    private static void stopImmediately(Path data) {
        try {
            run(
                    asServerUser(List.of(
                            BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop")),
                    null,
                    Duration.ofSeconds(30));
        } catch (IOException e) {
            log.warn("could not stop PostgreSQL in {}: {}", data, e.getMessage());
        }
    }

    private static Path baseDir() throws IOException {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "drover-postgres");
        Files.createDirectories(base);
        if (ROOT) {
            // the postgres user must reach its data directory below this one
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return base;
    }

    /** Installs Debian's postgresql-15 when its binaries are missing (root only; once per machine). */
    private static void ensureInstalled() throws IOException {
        if (Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("psql"))) {
            return;
        }
        if (!ROOT) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (" + BIN + " is missing); install it with"
                    + " 'sudo apt-get install " + PACKAGE + "' and run again");
        }
        Path base = baseDir();
        try (FileChannel ch = FileChannel.open(
                        base.resolve("install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            if (Files.isExecutable(BIN.resolve("postgres"))) {
                return; // another JVM installed it while this one waited
            }
            log.info("installing {} with apt-get (once per machine)", PACKAGE);
            Path out = base.resolve("apt-get.log");
            List<String> install = List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE);
            try {
                run(install, out, Duration.ofMinutes(10));
            } catch (IOException first) {
                run(List.of("apt-get", "update", "-q"), out, Duration.ofMinutes(10));
                run(install, out, Duration.ofMinutes(10));
            }
        }
        if (!Files.isExecutable(BIN.resolve("postgres"))) {
            throw new IllegalStateException("apt-get installed " + PACKAGE + " but " + BIN + "/postgres is missing");
        }
    }

    private static List<String> asServerUser(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", SUPERUSER, "--"));
        cmd.addAll(command);
        return cmd;
    }

    private static void giveToServerUser(Path p) throws IOException {
        if (ROOT) {
            UserPrincipal user =
                    p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SUPERUSER);
            Files.setOwner(p, user);
        }
    }

    /** Runs a command to completion; its output goes to {@code out} (appended) or is discarded. */
    private static void run(List<String> cmd, Path out, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(
                        out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(out.toFile()));
        Map<String, String> env = pb.environment();
        env.put("DEBIAN_FRONTEND", "noninteractive");
        env.put("LC_ALL", "C");
        env.keySet().removeIf(k -> k.startsWith("PG")); // a caller's PGHOST/PGDATABASE must not redirect psql
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() != 0) {
            String output = out == null ? "" : "\n" + tail(Files.readString(out, StandardCharsets.UTF_8));
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 20), lines.length));
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }
}
