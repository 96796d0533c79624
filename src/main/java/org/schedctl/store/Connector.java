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
import org.schedctl.domain.PermissionDeniedException;
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

        /** Never the password: a record's generated toString would print it into logs and stack traces. */
        @Override
        public String toString() {
            return "Target[" + displayUrl() + ", user=" + user + (password == null ? "" : ", password=***")
                    + (isEmbedded() ? ", embedded" : "") + "]";
        }
    }

    private Connector() {
    }

    /** The runtime role every ordinary command connects as; created by migration V30. */
    public static final String RUNTIME_ROLE = "schedctl_app";

    /**
     * The target of ordinary commands, connecting as the runtime role: {@code db.user}/{@code db.password}
     * (else the URL's own user), or {@value #RUNTIME_ROLE} on the embedded server. For the embedded default this
     * may start the server.
     */
    public static Target resolve(Config config, String dbFlag) {
        String url = url(config, dbFlag);
        if (url == null) {
            EmbeddedServer server = new EmbeddedServer(config.dataHome());
            int port = server.ensureStarted();
            return new Target("jdbc:postgresql://127.0.0.1:" + port + "/" + EMBEDDED_DATABASE, RUNTIME_ROLE, null, server);
        }
        Target parsed = toJdbc(url, null, null);
        if (dbFlag != null && !dbFlag.isBlank() && parsed.password() != null) {
            throw new InvalidInputException("--db carries a password, and command lines are visible to other users of this machine. "
                    + "Put the URL in SCHEDCTL_DB_URL, or the password in SCHEDCTL_DB_PASSWORD or the config file");
        }
        String user = config.get("db.user").orElse(null);
        if (user != null) {
            return new Target(parsed.jdbcUrl(), user, config.get("db.password").orElse(null), null);
        }
        return new Target(parsed.jdbcUrl(), parsed.user(), config.get("db.password").orElse(parsed.password()), null);
    }

    /**
     * The owner's target, for {@code db migrate} and {@code db status}: {@code db.migrate.user} and
     * {@code db.migrate.password} when set, else the credentials in the URL, else {@code db.user}/{@code db.password}
     * (so a setup that names one user keeps working). The embedded server's owner is its superuser.
     */
    public static Target resolveOwner(Config config, String dbFlag, Target runtime) {
        if (runtime.isEmbedded()) {
            return new Target(runtime.jdbcUrl(), EmbeddedServer.SUPERUSER, null, runtime.embedded());
        }
        Target parsed = toJdbc(url(config, dbFlag), null, null);
        String migrateUser = config.get("db.migrate.user").orElse(null);
        if (migrateUser != null) {
            return new Target(parsed.jdbcUrl(), migrateUser, config.get("db.migrate.password").orElse(null), null);
        }
        if (parsed.user() != null) {
            return parsed;
        }
        return new Target(parsed.jdbcUrl(), config.get("db.user").orElse(null), config.get("db.password").orElse(null), null);
    }

    /**
     * The daemon's scheduler connection (Quartz's own tables, schema {@code schedctl_quartz}, which the runtime
     * role cannot use): {@code db.daemon.user}/{@code db.daemon.password} when set, else the owner.
     */
    public static Target resolveDaemon(Config config, String dbFlag, Target runtime, Target owner) {
        String daemonUser = config.get("db.daemon.user").orElse(null);
        if (daemonUser == null || runtime.isEmbedded()) {
            return owner;
        }
        Target parsed = toJdbc(url(config, dbFlag), null, null);
        return new Target(parsed.jdbcUrl(), daemonUser, config.get("db.daemon.password").orElse(null), null);
    }

    /** Refuses, with what to do, a scheduler connection that cannot use Quartz's schema (the runtime role, say). */
    public static void checkSchedulerAccess(javax.sql.DataSource pool, String schema) {
        try (Connection c = pool.getConnection(); java.sql.PreparedStatement st = c.prepareStatement(
                "SELECT current_user, has_schema_privilege(current_user, ?, 'USAGE')")) {
            st.setString(1, schema);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(2)) {
                    throw new PermissionDeniedException("the daemon's scheduler connection (role " + rs.getString(1)
                            + ") may not use schema " + schema + ", where Quartz keeps the schedule. Set SCHEDCTL_DB_DAEMON_USER and "
                            + "SCHEDCTL_DB_DAEMON_PASSWORD (db.daemon.user, db.daemon.password) to the owner, or to a role granted "
                            + "USAGE on " + schema + " and SELECT, INSERT, UPDATE, DELETE on its tables");
                }
            }
        } catch (SQLException e) {
            if ("3F000".equals(e.getSQLState())) { // invalid_schema_name: V61 not applied
                throw new UnavailableException("schema " + schema + " does not exist. Run `schedctl db migrate`", e);
            }
            throw new UnavailableException("cannot check the daemon's scheduler connection (" + e.getMessage() + ")", e);
        }
    }

    private static String url(Config config, String dbFlag) {
        return dbFlag != null && !dbFlag.isBlank() ? dbFlag : config.get("db.url").orElse(null);
    }

    /**
     * Accepts JDBC URLs and libpq URIs ({@code postgresql://user:secret@host:port/db}). Credentials found in the
     * URL move into the target's user and password, so the URL itself never carries a secret and never overrides
     * the user chosen for the runtime role or the owner.
     */
    public static Target toJdbc(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            int q = url.indexOf('?');
            if (q < 0) {
                return new Target(url, user, password, null);
            }
            StringBuilder kept = new StringBuilder();
            for (String param : url.substring(q + 1).split("&")) {
                int eq = param.indexOf('=');
                String key = eq < 0 ? param : param.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                if (key.equalsIgnoreCase("user")) {
                    user = user != null ? user : value;
                } else if (key.equalsIgnoreCase("password")) {
                    password = password != null ? password : value;
                } else if (!param.isEmpty()) {
                    kept.append(kept.length() == 0 ? "?" : "&").append(param);
                }
            }
            return new Target(url.substring(0, q) + kept, user, password, null);
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
                return toJdbc("jdbc:postgresql://" + host + port + path + query, user, password);
            } catch (URISyntaxException e) {
                throw new InvalidInputException("bad database URL: " + e.getReason() + ". Use jdbc:postgresql://HOST:PORT/DB or postgresql://USER@HOST:PORT/DB");
            }
        }
        throw new InvalidInputException("bad database URL (it must start with jdbc:postgresql: or postgresql://). Example: jdbc:postgresql://127.0.0.1:5432/schedctl");
    }

    /** A small pool: a CLI command uses one connection, the daemon and benchmarks a few. */
    /** The application_name of this process's connections: "schedctl PID". */
    public static String applicationName() {
        return "schedctl " + ProcessHandle.current().pid();
    }

    public static HikariDataSource pool(Target target, int maxSize) {
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
        // Database.inTransaction relies on this for its default level instead of switching per transaction.
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // The process id lets the shell cancel its own running statement (Backend.cancelRunningStatements).
        hc.addDataSourceProperty("ApplicationName", applicationName());
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(hc);
        } catch (com.zaxxer.hikari.pool.HikariPool.PoolInitializationException e) {
            if (e.getCause() instanceof SQLException sql && !sql.getSQLState().startsWith("08")) {
                throw unreachable(target, sql);
            }
            throw e;
        }
    }

    /** The embedded server creates its database on first use (as its owner); an external one must exist already. */
    public static void ensureDatabaseExists(Target target) {
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
     * The embedded default, before the runtime role connects: creates the database and migrates it as the
     * owner (the server's superuser), which also creates the runtime role on first use.
     */
    public static void prepareEmbedded(Target owner, Consumer<String> progress) {
        ensureDatabaseExists(owner);
        Schema.Probe probe;
        try (Connection c = DriverManager.getConnection(owner.jdbcUrl(), props(owner))) {
            probe = Schema.probe(c);
        } catch (SQLException e) {
            throw unreachable(owner, e);
        }
        if (probe.behind()) {
            progress.accept("preparing the embedded database (schema version " + Schema.EXPECTED_VERSION + ")");
            new Migrations(simpleDataSource(owner)).migrate();
        }
    }

    /** An unpooled DataSource, for one-off work such as the embedded default's migration. */
    public static javax.sql.DataSource simpleDataSource(Target target) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(target.jdbcUrl());
        if (target.user() != null) ds.setUser(target.user());
        if (target.password() != null) ds.setPassword(target.password());
        return ds;
    }

    /**
     * Compares the schema version with this build in one query (which also tells whether the connected role
     * escapes row-level security, to warn the operator). A database that is behind is an error telling the
     * operator to migrate.
     */
    public static void checkSchema(Target target, HikariDataSource dataSource, Consumer<String> progress) {
        Schema.Probe probe;
        try (Connection c = dataSource.getConnection()) {
            probe = Schema.probe(c);
        } catch (SQLException e) {
            throw unreachable(target, e);
        }
        int have = probe.version().orElse(0);
        if (have > Schema.EXPECTED_VERSION) {
            throw new UnavailableException("the database schema (version " + have + ") is newer than this schedctl (expects "
                    + Schema.EXPECTED_VERSION + "). Upgrade schedctl");
        }
        if (probe.behind()) {
            if (probe.version().isPresent() && have == Schema.EXPECTED_VERSION && probe.migrations() >= Schema.EXPECTED_MIGRATIONS) {
                throw new UnavailableException("the database's functions, triggers and policies differ from this schedctl's ("
                        + probe.staleRepeatables() + " of " + Schema.REPEATABLE_MIGRATIONS.size()
                        + " repeatable migrations to apply). Run `schedctl db migrate`");
            }
            throw new UnavailableException("the database schema is " + (probe.version().isEmpty() ? "not migrated"
                    : have < Schema.EXPECTED_VERSION ? "at version " + have : "missing " + (Schema.EXPECTED_MIGRATIONS - probe.migrations()) + " migration(s)")
                    + " but this schedctl needs version " + Schema.EXPECTED_VERSION + ". Run `schedctl db migrate`");
        }
        if (probe.bypassesRowSecurity()) {
            progress.accept("warning: connected as " + probe.role() + ", which owns the tables or bypasses row-level security, "
                    + "so permissions are not enforced. Set SCHEDCTL_DB_USER=" + RUNTIME_ROLE + " (and SCHEDCTL_DB_PASSWORD) "
                    + "for ordinary commands and SCHEDCTL_DB_MIGRATE_USER for `db migrate`");
        }
    }

    /** What `db migrate` finds before it runs: who it is, and whether the runtime role exists or can be made. */
    public record RolePreflight(String owner, boolean runtimeRoleExists, boolean mayCreateRoles) {
    }

    /**
     * Checks, as the owner, that migration V30 will be able to set up the runtime role; otherwise tells the operator
     * the one line of SQL a superuser must run. Migrating as the runtime role itself would make it the owner.
     */
    public static RolePreflight preflightRuntimeRole(Target owner, javax.sql.DataSource ownerPool) {
        RolePreflight p;
        try (Connection c = ownerPool.getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("""
                     SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app'),
                            (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user)
                     """)) {
            rs.next();
            p = new RolePreflight(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3));
        } catch (SQLException e) {
            throw unreachable(owner, e);
        }
        if (RUNTIME_ROLE.equals(p.owner())) {
            throw new PermissionDeniedException("`db migrate` must run as the owner of the schema, not as the runtime role "
                    + RUNTIME_ROLE + ". Set SCHEDCTL_DB_MIGRATE_USER and SCHEDCTL_DB_MIGRATE_PASSWORD (db.migrate.user, db.migrate.password) to the owner's");
        }
        if (!p.runtimeRoleExists() && !p.mayCreateRoles()) {
            throw new PermissionDeniedException("the runtime role " + RUNTIME_ROLE + " does not exist and " + p.owner()
                    + " may not create roles. Ask a superuser to run: CREATE ROLE " + RUNTIME_ROLE
                    + " LOGIN PASSWORD 'choose-a-password' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; then run `schedctl db migrate` again");
        }
        return p;
    }

    public static UnavailableException unreachable(Target target, SQLException e) {
        // The server's routine tells a missing role (InitializeSessionUserId) from a pg_hba refusal (ClientAuthentication),
        // both SQLSTATE 28000, without reading the message.
        if ("28000".equals(e.getSQLState()) && RUNTIME_ROLE.equals(target.user())
                && "InitializeSessionUserId".equals(SqlErrors.routineOf(e))) {
            return new UnavailableException("the runtime role " + RUNTIME_ROLE + " does not exist on the server at "
                    + target.displayUrl() + ". Run `schedctl db migrate` as the owner: it creates the role or prints the SQL to run", e);
        }
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new UnavailableException("cannot reach the database at " + target.displayUrl() + " (" + first
                + "). Check that the server runs and the URL, user and password are right", e);
    }
}
