package org.schedctl.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.UnavailableException;

/**
 * Decides which PostgreSQL a command talks to (--db, SCHEDCTL_DB_URL, db.url, else the embedded default),
 * opens the pool, and makes sure the schema matches this build.
 */
public final class Connector {
    public static final String EMBEDDED_DATABASE = "schedctl";

    /** Where the data lives: a JDBC URL with its credentials, and whether it is the embedded server. */
    public record Target(String jdbcUrl, String user, String password, EmbeddedServer embedded) {
        public boolean isEmbedded() {
            return embedded != null;
        }

        /** The URL without credentials, safe to print. */
        public String displayUrl() {
            return jdbcUrl.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
        }
    }

    private Connector() {
    }

    /** Resolves the target; for the embedded default this may start the server. */
    public static Target resolve(Config config, String dbFlag) {
        String url = dbFlag != null && !dbFlag.isBlank() ? dbFlag : config.get("db.url").orElse(null);
        String user = config.get("db.user").orElse(null);
        String password = config.get("db.password").orElse(null);
        if (url == null) {
            EmbeddedServer server = new EmbeddedServer(config.dataHome());
            int port = server.ensureStarted();
            return new Target("jdbc:postgresql://127.0.0.1:" + port + "/" + EMBEDDED_DATABASE, EmbeddedServer.SUPERUSER, null, server);
        }
        return toJdbc(url, user, password);
    }

    /** Accepts JDBC URLs and libpq URIs ({@code postgresql://user:secret@host:port/db}). */
    static Target toJdbc(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new Target(url, user, password, null);
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            try {
                URI uri = new URI(url);
                String info = uri.getRawUserInfo();
                if (info != null) {
                    int colon = info.indexOf(':');
                    String u = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
                    user = user != null ? user : u;
                    if (colon >= 0 && password == null) {
                        password = URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
                    }
                }
                String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
                String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
                String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
                return new Target("jdbc:postgresql://" + host + port + path + query, user, password, null);
            } catch (URISyntaxException e) {
                throw new InvalidInputException("bad database URL: " + e.getReason() + ". Use jdbc:postgresql://HOST:PORT/DB or postgresql://USER@HOST:PORT/DB");
            }
        }
        throw new InvalidInputException("bad database URL (it must start with jdbc:postgresql: or postgresql://). Example: jdbc:postgresql://127.0.0.1:5432/schedctl");
    }

    /** A small pool: a CLI command uses one connection, the daemon and benchmarks a few. */
    public static HikariDataSource pool(Target target, int maxSize) {
        ensureDatabaseExists(target);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(target.jdbcUrl());
        if (target.user() != null) hc.setUsername(target.user());
        if (target.password() != null) hc.setPassword(target.password());
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(0);
        // Fail at once when the server is down (exit 5), instead of waiting out the connection timeout.
        hc.setInitializationFailTimeout(1);
        hc.setConnectionTimeout(10_000);
        hc.setPoolName("schedctl");
        hc.setConnectionInitSql("SET TIME ZONE 'UTC'");
        hc.addDataSourceProperty("ApplicationName", "schedctl");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(hc);
    }

    /** The embedded server creates its database on first use; an external one must exist already. */
    private static void ensureDatabaseExists(Target target) {
        if (!target.isEmbedded()) {
            return;
        }
        String adminUrl = target.jdbcUrl().substring(0, target.jdbcUrl().lastIndexOf('/')) + "/postgres";
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props(target))) {
            c.isValid(1);
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw unreachable(target, e);
            }
            try (Connection admin = DriverManager.getConnection(adminUrl, props(target)); Statement st = admin.createStatement()) {
                st.execute("CREATE DATABASE " + EMBEDDED_DATABASE);
            } catch (SQLException again) {
                // 42P04 or a unique violation on pg_database: a concurrent command created it meanwhile.
                if (!"42P04".equals(again.getSQLState()) && !"23505".equals(again.getSQLState())) {
                    throw unreachable(target, again);
                }
            }
        }
    }

    private static Properties props(Target target) {
        Properties p = new Properties();
        if (target.user() != null) p.setProperty("user", target.user());
        if (target.password() != null) p.setProperty("password", target.password());
        return p;
    }

    /**
     * Compares the schema version with this build in one query. An external database that is behind is an
     * error telling the operator to migrate; the embedded default migrates itself.
     */
    public static void checkSchema(Target target, HikariDataSource dataSource, Consumer<String> progress) {
        OptionalInt applied;
        try (Connection c = dataSource.getConnection()) {
            applied = Schema.appliedVersion(c);
        } catch (SQLException e) {
            throw unreachable(target, e);
        }
        int have = applied.orElse(0);
        if (have == Schema.EXPECTED_VERSION) {
            return;
        }
        if (have > Schema.EXPECTED_VERSION) {
            throw new UnavailableException("the database schema (version " + have + ") is newer than this schedctl (expects "
                    + Schema.EXPECTED_VERSION + "). Upgrade schedctl");
        }
        if (target.isEmbedded()) {
            progress.accept("preparing the embedded database (schema version " + Schema.EXPECTED_VERSION + ")");
            new Migrations(dataSource).migrate();
            return;
        }
        throw new UnavailableException("the database schema is " + (applied.isEmpty() ? "not migrated" : "at version " + have)
                + " but this schedctl needs version " + Schema.EXPECTED_VERSION + ". Run `schedctl db migrate`");
    }

    public static UnavailableException unreachable(Target target, SQLException e) {
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new UnavailableException("cannot reach the database at " + target.displayUrl() + " (" + first
                + "). Check that the server runs and the URL, user and password are right", e);
    }
}
