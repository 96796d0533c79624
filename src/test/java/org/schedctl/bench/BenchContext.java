package org.schedctl.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.store.Connector;
import org.schedctl.store.EmbeddedServer;
import org.schedctl.store.Migrations;

/**
 * What a scenario works with: a PostgreSQL server on which it gets fresh, migrated databases (schedctl's embedded
 * server under target/bench-home by default, or the server of --db), the CLI as a process, and the seed.
 */
public final class BenchContext implements AutoCloseable {
    private final Path root;
    private final long seed;
    private final boolean quick;
    private final Path home;
    private final EmbeddedServer embedded;
    private final String adminUrl;
    private final String user;
    private final String password;
    private final List<FreshDatabase> opened = new ArrayList<>();

    /** A fresh, migrated database for one scenario. */
    public record FreshDatabase(String name, String jdbcUrl, String user, String password, String host, int port,
                                HikariDataSource pool) {
        /** libpq connection arguments for psql and pgbench. */
        public List<String> libpqArgs() {
            return List.of("-h", host, "-p", String.valueOf(port), "-U", user == null ? "postgres" : user, "-d", name);
        }

        public Map<String, String> libpqEnv() {
            Map<String, String> env = new HashMap<>();
            if (password != null) env.put("PGPASSWORD", password);
            env.put("PGCONNECT_TIMEOUT", "10");
            return env;
        }

        /** Runs SQL statements on this database, autocommit. */
        public void execute(String... sql) throws SQLException {
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
        }
    }

    /** A finished process: exit code, wall time, and what it printed. */
    public record ProcessResult(int exitCode, double millis, String stdout, String stderr) {
        public ProcessResult orFail(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed with exit " + exitCode + ": " + firstLines(stderr.isBlank() ? stdout : stderr));
            }
            return this;
        }

        private static String firstLines(String text) {
            return text.lines().limit(5).reduce((a, b) -> a + " | " + b).orElse("").trim();
        }
    }

    BenchContext(Path root, long seed, boolean quick, String dbUrl) throws IOException, SQLException {
        this.root = root;
        this.seed = seed;
        this.quick = quick;
        this.home = root.resolve("target/bench-home");
        if (dbUrl == null) {
            EmbeddedServer previous = new EmbeddedServer(home);
            previous.stop();
            wipeKeepingBinaries(home);
            embedded = new EmbeddedServer(home);
            int port = embedded.ensureStarted();
            adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            user = EmbeddedServer.SUPERUSER;
            password = null;
        } else {
            embedded = null;
            adminUrl = dbUrl;
            user = System.getenv("SCHEDCTL_DB_USER") != null ? System.getenv("SCHEDCTL_DB_USER") : queryParam(dbUrl, "user");
            password = System.getenv("SCHEDCTL_DB_PASSWORD") != null ? System.getenv("SCHEDCTL_DB_PASSWORD") : queryParam(dbUrl, "password");
        }
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    /** Keeps the unpacked PostgreSQL binaries (unpacking is not what we measure) and drops everything else. */
    private static void wipeKeepingBinaries(Path home) throws IOException {
        if (!Files.isDirectory(home)) {
            return;
        }
        try (Stream<Path> children = Files.list(home)) {
            for (Path child : children.toList()) {
                if (!child.getFileName().toString().matches("pg-[^.]*")) {
                    deleteTree(child);
                }
            }
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    public Path root() {
        return root;
    }

    public long seed() {
        return seed;
    }

    public boolean quick() {
        return quick;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** The SCHEDCTL_HOME of the bench's embedded server. */
    public Path home() {
        return home;
    }

    /** A scratch directory for a scenario's files, under target/bench. */
    public Path workDir(String scenario) throws IOException {
        return Files.createDirectories(root.resolve("target/bench").resolve(scenario));
    }

    /** Drops (if left over) and creates the database, migrates it with schedctl's migrations, and opens a pool. */
    public FreshDatabase freshDatabase(String name) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        String url = urlFor(name);
        HikariDataSource pool = Connector.pool(new Connector.Target(url, user, password, null), 40);
        new Migrations(pool).migrate();
        URI uri = URI.create(url.substring("jdbc:".length()));
        FreshDatabase db = new FreshDatabase(name, url, user, password, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), pool);
        opened.add(db);
        return db;
    }

    /** Drops (if left over) and creates a database without migrating it: a restore's target. */
    public FreshDatabase emptyDatabase(String name) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        String url = urlFor(name);
        HikariDataSource pool = Connector.pool(new Connector.Target(url, user, password, null), 2);
        URI uri = URI.create(url.substring("jdbc:".length()));
        FreshDatabase db = new FreshDatabase(name, url, user, password, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), pool);
        opened.add(db);
        return db;
    }

    /**
     * A pool on a fresh database as the runtime role: what schedctl runs as, under forced row-level security, not
     * the superuser that set the database up. The role has no password: the embedded server and the local
     * service trust local connections. The caller closes it.
     */
    public static HikariDataSource runtimePool(FreshDatabase db, int size) {
        return Connector.pool(new Connector.Target(db.jdbcUrl(), Connector.RUNTIME_ROLE, null, null), size);
    }

    /** Drops a fresh database before the end of the run, to free its disk space. */
    public void drop(FreshDatabase db) throws SQLException {
        db.pool().close();
        opened.remove(db);
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
        }
    }

    /** Fails loudly, as NOT RUN, when the CLI of this branch does not have the command a scenario measures. */
    public void requireCommand(String issue, String... command) throws IOException, InterruptedException {
        if (!hasCommand(command)) {
            throw new MissingFeatureException("`schedctl " + String.join(" ", command) + "` is not on this branch yet; it lands with "
                    + issue + ". Merge main and run again");
        }
    }

    /** Whether this build's CLI has the (sub)command: its own usage line, not the root's, answers --help. */
    public boolean hasCommand(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(command));
        args.add("--help");
        ProcessResult help = run(schedctl(args.toArray(String[]::new)), cliEnv(null));
        return help.exitCode() == 0 && help.stdout().startsWith("Usage: schedctl " + String.join(" ", command) + " ");
    }

    private String urlFor(String database) {
        int slash = adminUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = adminUrl.indexOf('?');
        return adminUrl.substring(0, slash + 1) + database + (query < 0 ? "" : adminUrl.substring(query));
    }

    private Connection admin() throws SQLException {
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        return DriverManager.getConnection(adminUrl, p);
    }

    private static String queryParam(String url, String key) {
        Matcher m = Pattern.compile("[?&]" + key + "=([^&]*)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    /** scripts/schedctl with the given arguments. */
    public List<String> schedctl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("scripts/schedctl").toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The environment of a CLI process: no config file, the bench's SCHEDCTL_HOME, and the database named by URL,
     * or none at all (database null) to take the embedded-default path an operator takes.
     */
    public Map<String, String> cliEnv(FreshDatabase database) {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("SCHEDCTL_"));
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        env.put("SCHEDCTL_HOME", home.toString());
        env.put("TZ", "UTC");
        if (database != null) {
            // The CLI connects as the runtime role, as in production; the set-up user is the schema owner.
            env.put("SCHEDCTL_DB_URL", database.jdbcUrl());
            env.put("SCHEDCTL_DB_USER", Connector.RUNTIME_ROLE);
            if (database.user() != null) env.put("SCHEDCTL_DB_MIGRATE_USER", database.user());
            if (database.password() != null) env.put("SCHEDCTL_DB_MIGRATE_PASSWORD", database.password());
        }
        return env;
    }

    /** Runs a process to completion and times it, from spawn to exit. */
    public ProcessResult run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("bench-out", ".txt");
        Path err = Files.createTempFile("bench-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            double ms = Stats.millisSince(start);
            return new ProcessResult(p.exitValue(), ms, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Environment for psql and pgbench on a database, on top of this process's own. */
    public Map<String, String> libpqEnv(FreshDatabase db) {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(db.libpqEnv());
        return env;
    }

    /** Server facts for the report. */
    public String serverVersion() {
        try (Connection c = admin(); Statement st = c.createStatement(); var rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1) + (isEmbedded() ? " (schedctl embedded)" : " (--db)");
        } catch (SQLException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        for (FreshDatabase db : opened) {
            db.pool().close();
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("bench: could not drop " + db.name() + ": " + e.getMessage());
            }
        }
        if (embedded != null) {
            embedded.stop();
        }
    }
}
