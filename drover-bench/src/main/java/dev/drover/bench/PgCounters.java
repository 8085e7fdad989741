package dev.drover.bench;

import dev.drover.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The store's traffic as PostgreSQL itself counts it, independent of Drover's word: statements by
 * role and query ({@code pg_stat_statements}, loaded through {@code shared_preload_libraries} with a
 * restart of the run's own server) and transactions of a database ({@code pg_stat_database
 * xact_commit + xact_rollback}, all roles). The replicas connect as {@code postgres}, the bench's
 * submitter and observer as roles of their own, so their statements can be told apart.
 */
final class PgCounters implements AutoCloseable {
    static final String REPLICAS = "postgres";
    static final String SUBMITTER = "bench_submitter";
    static final String OBSERVER = "bench_observer";

    /** Statements by role, then by query text (normalised by pg_stat_statements); transactions of the database. */
    record Snapshot(long nanos, Map<String, Map<String, Long>> calls, long transactions) {}

    private final PostgresServer server;
    private final boolean statements;

    private PgCounters(PostgresServer server, boolean statements) {
        this.server = server;
        this.statements = statements;
    }

    static PgCounters start(Progress progress) {
        PostgresServer pg = PostgresServer.start();
        boolean statements;
        try {
            pg.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            pg.takeDown();
            pg.bringUp();
            pg.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            statements = true;
        } catch (Exception e) {
            progress.say("pg_stat_statements is not available (%s): counting transactions only", e.getMessage());
            statements = false;
        }
        // After the restart: an immediate stop may lose what was committed just before (synchronous_commit=off).
        pg.psql("CREATE ROLE " + SUBMITTER + " SUPERUSER LOGIN");
        pg.psql("CREATE ROLE " + OBSERVER + " SUPERUSER LOGIN");
        return new PgCounters(pg, statements);
    }

    PostgresServer server() {
        return server;
    }

    boolean statements() {
        return statements;
    }

    /** {@code url} (the server's, as {@code postgres}) as another role. */
    static String as(String url, String role) {
        return url.replace("user=" + REPLICAS, "user=" + role);
    }

    Snapshot read(String database) {
        try (Connection c = DriverManager.getConnection(as(server.jdbcUrl(), OBSERVER))) {
            Map<String, Map<String, Long>> calls = new TreeMap<>();
            if (statements) {
                try (PreparedStatement s = c.prepareStatement("SELECT r.rolname, s.query, s.calls FROM"
                        + " pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE s.dbid = (SELECT oid"
                        + " FROM pg_database WHERE datname = ?)")) {
                    s.setString(1, database);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            calls.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                    .merge(rs.getString(2), rs.getLong(3), Long::sum);
                        }
                    }
                }
            }
            long xacts = 0;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
                s.setString(1, database);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        xacts = rs.getLong(1);
                    }
                }
            }
            return new Snapshot(System.nanoTime(), calls, xacts);
        } catch (SQLException e) {
            throw new IllegalStateException("reading PostgreSQL's statistics: " + e.getMessage(), e);
        }
    }

    /**
     * What a statement is for: {@code heartbeat} (the replicas table), {@code isolation} (the
     * driver's {@code SHOW TRANSACTION ISOLATION LEVEL}, a round trip of its own), {@code begin},
     * {@code commit} (COMMIT/ROLLBACK; pgjdbc's own commits do not show here), or {@code task}.
     */
    static String kind(String query) {
        String q = query.strip().toLowerCase(Locale.ROOT);
        if (q.startsWith("commit") || q.startsWith("rollback")) {
            return "commit";
        }
        if (q.startsWith("begin") || q.startsWith("start transaction")) {
            return "begin";
        }
        if (q.startsWith("show transaction isolation level")) {
            return "isolation";
        }
        if (q.matches("(?s).*\\breplicas\\b.*")) {
            return "heartbeat";
        }
        return "task";
    }

    /** Calls of {@code role} between two snapshots, by {@link #kind}. */
    static Map<String, Long> delta(Snapshot a, Snapshot b, String role) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String k : new String[] {"task", "isolation", "heartbeat", "begin", "commit"}) {
            out.put(k, 0L);
        }
        Map<String, Long> before = a.calls().getOrDefault(role, Map.of());
        b.calls().getOrDefault(role, Map.of()).forEach((q, n) -> {
            long d = n - before.getOrDefault(q, 0L);
            if (d != 0) {
                out.merge(kind(q), d, Long::sum);
            }
        });
        return out;
    }

    /** The statements of {@code role} between two snapshots, most called first (for the JSON). */
    static Map<String, Long> topStatements(Snapshot a, Snapshot b, String role, int max) {
        Map<String, Long> before = a.calls().getOrDefault(role, Map.of());
        Map<String, Long> d = new LinkedHashMap<>();
        b.calls().getOrDefault(role, Map.of()).entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(max)
                .forEach(e -> d.merge(e.getKey().replaceAll("\\s+", " ").strip(), e.getValue(), Long::sum));
        return d;
    }

    @Override
    public void close() {
        server.stop();
    }
}
