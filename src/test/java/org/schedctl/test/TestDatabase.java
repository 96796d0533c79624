package org.schedctl.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.schedctl.store.Connector;
import org.schedctl.store.Database;
import org.schedctl.store.EmbeddedServer;
import org.schedctl.store.Migrations;

/**
 * A fresh, migrated PostgreSQL database for each test class, on a real server chosen like this:
 * {@code SCHEDCTL_TEST_DB_URL} (an admin URL, e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres) if set;
 * else Testcontainers when Docker runs; else schedctl's own embedded server, one per test JVM, under target/.
 * Never H2, never mocks.
 *
 * <p>Use as {@code @RegisterExtension static TestDatabase db = new TestDatabase();}.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
    private static final String CONTAINER_APP_PASSWORD = "schedctl-test";
    private static Server server;

    private String name;
    private String url;
    private HikariDataSource ownerPool;
    private HikariDataSource pool;
    private SharedPools cliPools;

    /**
     * A PostgreSQL server the tests may create databases on: a URL without credentials, the superuser that owns
     * the test databases and runs their migrations, and the password of the runtime role (null with trust auth).
     */
    public record Server(String adminUrl, String user, String password, String kind, String appPassword) {
        String urlFor(String database) {
            int slash = adminUrl.indexOf('/', "jdbc:postgresql://".length());
            int query = adminUrl.indexOf('?');
            String base = adminUrl.substring(0, slash + 1);
            return base + database + (query < 0 ? "" : adminUrl.substring(query));
        }
    }

    public static synchronized Server server() {
        if (server == null) {
            server = pickServer();
        }
        return server;
    }

    private static Server pickServer() {
        String explicit = System.getenv("SCHEDCTL_TEST_DB_URL");
        if (explicit != null && !explicit.isBlank()) {
            Connector.Target t = Connector.toJdbc(explicit, System.getenv("SCHEDCTL_TEST_DB_USER"), System.getenv("SCHEDCTL_TEST_DB_PASSWORD"));
            return new Server(t.jdbcUrl(), t.user(), t.password(), "external", System.getenv("SCHEDCTL_TEST_DB_APP_PASSWORD"));
        }
        if (dockerAvailable()) {
            var container = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:17-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword(), "testcontainers", CONTAINER_APP_PASSWORD);
        }
        Path home = Path.of("target", "test-pg").toAbsolutePath();
        try {
            Files.createDirectories(home);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        EmbeddedServer embedded = new EmbeddedServer(home);
        int port = embedded.ensureStarted();
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::stop));
        return new Server("jdbc:postgresql://127.0.0.1:" + port + "/postgres", EmbeddedServer.SUPERUSER, null, "embedded", null);
    }

    private static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Server s = server();
        String template = Templates.template(s);
        name = ("t_" + context.getRequiredTestClass().getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16))
                .toLowerCase(Locale.ROOT);
        try (Connection c = admin(s); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " TEMPLATE " + template);
        }
        url = s.urlFor(name);
        // Set-up and catalog checks run as the owner (the server's superuser), everything else as the runtime role,
        // under RLS; the CLI driver's invocations share one pool per class instead of opening one each.
        ownerPool = Connector.pool(new Connector.Target(url, s.user(), s.password(), null), 4);
        // Tests drive the booking rules with fixed clocks (mostly in 2027): the database lets a client's "now" run
        // up to any instant here (V61's app_clock; a production database has no row and bounds it by now()).
        // DefinerProbesIT removes the row to probe the production bound.
        try (Connection c = ownerPool.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO app_clock (latest) VALUES ('infinity') ON CONFLICT (singleton) DO UPDATE SET latest = EXCLUDED.latest");
        }
        pool = Connector.pool(new Connector.Target(url, Connector.RUNTIME_ROLE, s.appPassword(), null), 20);
        cliPools = new SharedPools();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cliPools != null) {
            cliPools.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (ownerPool != null) {
            ownerPool.close();
        }
        if (name != null) {
            try (Connection c = admin(server()); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    /** The name of this class's database. */
    public String name() {
        return name;
    }

    static Connection admin(Server s) throws SQLException {
        Properties p = new Properties();
        if (s.user() != null) p.setProperty("user", s.user());
        if (s.password() != null) p.setProperty("password", s.password());
        return DriverManager.getConnection(s.adminUrl(), p);
    }

    /** JDBC URL of this class's database (credentials, if any, in {@link #env()}). */
    public String url() {
        return url;
    }

    /** Connections as the runtime role {@code schedctl_app}: row-level security applies. */
    public HikariDataSource dataSource() {
        return pool;
    }

    /** Connections as the owner (the server's superuser): for test set-up and catalog checks only. */
    public HikariDataSource ownerDataSource() {
        return ownerPool;
    }

    /** The database acting as the built-in administrator. */
    public Database database() {
        return new Database(pool, null, "test");
    }

    public Database as(String actor) {
        return new Database(pool, actor, "test");
    }

    /** Environment for in-process CLI runs against this database. */
    public java.util.Map<String, String> env() {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("SCHEDCTL_DB_URL", url);
        Server s = server();
        env.put("SCHEDCTL_DB_USER", Connector.RUNTIME_ROLE);
        if (s.appPassword() != null) env.put("SCHEDCTL_DB_PASSWORD", s.appPassword());
        if (s.user() != null) env.put("SCHEDCTL_DB_MIGRATE_USER", s.user());
        if (s.password() != null) env.put("SCHEDCTL_DB_MIGRATE_PASSWORD", s.password());
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        env.put("TZ", "UTC");
        return env;
    }

    public CliDriver cli() {
        return new CliDriver(env(), cliPools);
    }
}
