package dev.drover.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Opens a {@link TaskStore}: an embedded H2 file (the default), an in-memory H2 database (tests)
 * or PostgreSQL (several replicas). Every factory brings the schema up to date (Flyway, history in
 * {@code drover_schema_history}) before returning; the store owns its connection pool and closes it
 * on {@link TaskStore#close()}.
 *
 * <pre>{@code
 * try (TaskStore store = TaskStores.h2(Path.of("/var/lib/drover/drover"))) { ... }
 * try (TaskStore store = TaskStores.fromUrl("jdbc:postgresql://db:5432/drover?user=drover&password=...")) { ... }
 * }</pre>
 */
public final class TaskStores {
    // PostgreSQL's dialect and lower-case names make H2 run the same SQL; waiting up to 10 s for a
    // row lock matches what PostgreSQL does (it waits) better than H2's default of 1 s.
    private static final String H2_SETTINGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH" + ";LOCK_TIMEOUT=10000"
                    // parsed statements kept per connection: the store uses more than the default 8
                    + ";QUERY_CACHE_SIZE=64";
    private static final String H2_USER = "sa";
    private static final AtomicInteger POOLS = new AtomicInteger();

    private TaskStores() {}

    /**
     * An embedded H2 database in {@code file} (H2 adds {@code .mv.db} when missing). Opened with
     * {@code AUTO_SERVER=TRUE}: the first process serves the file to later ones (e.g. the CLI while
     * the service runs), and another process takes over when it exits.
     */
    public static TaskStore h2(Path file) {
        String base = file.toAbsolutePath().normalize().toString();
        if (base.endsWith(".mv.db")) {
            base = base.substring(0, base.length() - ".mv.db".length());
        }
        Path parent = Path.of(base).getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of the task database " + base, e);
        }
        return open("jdbc:h2:file:" + base + H2_SETTINGS + ";AUTO_SERVER=TRUE", H2_USER, "", 8);
    }

    /** A private in-memory H2 database, gone when the store closes. For tests. */
    public static TaskStore h2InMemory(String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "in-memory database name '" + name + "' may use letters, digits, '_'" + " and '-' only");
        }
        return openInMemory("jdbc:h2:mem:" + name + H2_SETTINGS);
    }

    /** PostgreSQL (9.5 or newer), e.g. {@code jdbc:postgresql://127.0.0.1:5432/drover}. */
    public static TaskStore postgres(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "'" + jdbcUrl + "' is not a PostgreSQL URL; write jdbc:postgresql://host:port/database");
        }
        return open(jdbcUrl, user, password, 10);
    }

    /**
     * A store for any supported JDBC URL: {@code jdbc:postgresql://…} (user and password as URL
     * parameters), {@code jdbc:h2:mem:…} or an H2 file URL ({@code jdbc:h2:file:…}, {@code
     * jdbc:h2:~/…}). H2 URLs get the settings the store's SQL needs unless they name them already.
     */
    public static TaskStore fromUrl(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return open(jdbcUrl, null, null, 10);
        }
        if (lower.startsWith("jdbc:h2:")) {
            String url = withH2Settings(jdbcUrl);
            return lower.startsWith("jdbc:h2:mem:") ? openInMemory(url) : open(url, null, null, 8);
        }
        throw new IllegalArgumentException("unsupported task database URL '" + jdbcUrl + "'; use jdbc:postgresql://"
                + "host:port/database?user=...&password=..., jdbc:h2:file:/path/drover or jdbc:h2:mem:name");
    }

    /**
     * A store on a data source the caller owns (and closes). Its database must be PostgreSQL or H2
     * with {@code MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE}.
     */
    public static TaskStore fromDataSource(DataSource dataSource) {
        migrate(dataSource);
        return new JdbcTaskStore(dataSource, null);
    }

    /**
     * The newest migration: in {@code db/migration/drover} ({@code V2__…}) or a Java one ({@link
     * V7Migration}); a test holds it to both, so a new migration cannot be forgotten here.
     */
    static final int SCHEMA_VERSION = 7;

    private static final String HISTORY = "drover_schema_history";

    /**
     * Applies the schema migrations that are missing; does nothing on an up-to-date database. That
     * case is the common one (every CLI command opens a store) and is told from the history table
     * alone: Flyway itself (loading, scanning the class path for migrations, validating) would cost
     * a short command a good part of its time.
     */
    static void migrate(DataSource dataSource) {
        if (isCurrent(dataSource)) {
            return;
        }
        flyway().dataSource(dataSource).load().migrate();
    }

    /**
     * Flyway as Drover runs it, without a data source: the SQL migrations in {@code
     * db/migration/drover} and the Java ones (V7, which backfills labels).
     */
    static FluentConfiguration flyway() {
        return Flyway.configure(TaskStores.class.getClassLoader())
                .locations("classpath:db/migration/drover") // its own folder: an embedding app may run Flyway on
                // db/migration
                .javaMigrations(new V7Migration())
                .table(HISTORY)
                // a database that already holds other tables (an application's) gets Drover's tables next to them
                .baselineOnMigrate(true)
                .baselineVersion("0");
    }

    /**
     * Whether {@code drover_schema_history} records every migration up to {@link #SCHEMA_VERSION} as
     * applied and none as failed. No table, a failed or an unexpected version: not current, and
     * Flyway decides (it creates, migrates, or reports what is wrong).
     */
    static boolean isCurrent(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            try {
                return historyIsCurrent(c);
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback(); // a caller's data source: leave no transaction behind, failed or not
                }
            }
        } catch (SQLException e) {
            return false; // no history yet, or no database: Flyway tells
        }
    }

    private static boolean historyIsCurrent(Connection c) throws SQLException {
        // asked first: a failing SELECT would make H2 write the error into a .trace.db next to the file
        String escape = c.getMetaData().getSearchStringEscape();
        String pattern = escape == null ? HISTORY : HISTORY.replace("_", escape + "_"); // '_' is a wildcard
        try (ResultSet t = c.getMetaData().getTables(null, c.getSchema(), pattern, null)) {
            if (!t.next()) {
                return false;
            }
        }
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT version, success FROM " + HISTORY)) {
            int newest = -1;
            while (r.next()) {
                String version = r.getString(1);
                if (!r.getBoolean(2)) {
                    return false;
                }
                if (version == null) {
                    continue; // Flyway's own markers
                }
                if (!version.matches("\\d{1,9}")) {
                    return false;
                }
                newest = Math.max(newest, Integer.parseInt(version));
            }
            return newest >= SCHEMA_VERSION; // newer: a later Drover's; Flyway ignores future ones too
        }
    }

    private static TaskStore openInMemory(String url) {
        // H2 drops an in-memory database with its last connection; this one lives as long as the store
        // so a pool that recycles all its connections cannot lose the data.
        Connection keeper;
        try {
            keeper = DriverManager.getConnection(url, userOf(url), "");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open in-memory H2 database " + url + ": " + e.getMessage(), e);
        }
        try {
            HikariDataSource pool = pool(url, userOf(url), "", 8);
            return store(pool, () -> {
                try (keeper) {
                    pool.close();
                }
            });
        } catch (RuntimeException e) {
            closeQuietly(keeper);
            throw e;
        }
    }

    private static TaskStore open(String url, String user, String password, int poolSize) {
        if (user == null && url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")) {
            user = userOf(url);
            password = "";
        }
        HikariDataSource pool = pool(url, user, password, poolSize);
        return store(pool, pool::close);
    }

    private static TaskStore store(HikariDataSource pool, AutoCloseable onClose) {
        try {
            migrate(pool);
            return new JdbcTaskStore(pool, onClose);
        } catch (RuntimeException e) {
            closeQuietly(onClose);
            throw e;
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setPoolName("drover-store-" + POOLS.incrementAndGet());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        // Every transaction runs READ COMMITTED: set once per connection, so no transaction asks the
        // server for its level first (pgjdbc answers getTransactionIsolation with a round trip).
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        return new HikariDataSource(config);
    }

    private static String withH2Settings(String url) {
        StringBuilder b = new StringBuilder(url);
        String upper = url.toUpperCase(Locale.ROOT);
        for (String setting : H2_SETTINGS.substring(1).split(";")) {
            String key = setting.substring(0, setting.indexOf('=') + 1);
            if (!upper.contains(";" + key)) {
                b.append(';').append(setting);
            }
        }
        return b.toString();
    }

    /** H2 wants the same user every time a database is opened; {@code sa} unless the URL names one. */
    private static String userOf(String h2Url) {
        return h2Url.toUpperCase(Locale.ROOT).contains(";USER=") ? null : H2_USER;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the first error is the one to report
        }
    }
}
