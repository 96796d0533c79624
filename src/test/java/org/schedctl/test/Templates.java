package org.schedctl.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.schedctl.store.Connector;
import org.schedctl.store.Migrations;

/**
 * Migrated template databases, so that a test class gets its database by {@code CREATE DATABASE … TEMPLATE} (a file
 * copy) instead of running every migration again (zonky's PreparedDbProvider works the same way).
 *
 * <p>The template is named by a hash of the migrations' names and contents, {@code schedctl_tpl_<hash>}: a changed
 * migration makes a new template, and test JVMs with the same migrations (the two passes of scripts/test, another
 * checkout on the same server) share one. Building happens under an advisory lock, into a temporary name that is
 * renamed when complete, and the finished template accepts no connections, so cloning it never fails because someone
 * is connected. Each JVM holds a shared advisory lock on the hash it uses for as long as it runs; a template (or a
 * half-built one) whose hash nobody holds is stale and is dropped.
 */
final class Templates implements AutoCloseable {
    static final String PREFIX = "schedctl_tpl_";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([0-9a-f]{16})(_tmp)?");
    /** Two-key advisory lock space (distinct from the one-key space of the per-hash locks): the build lock. */
    private static final int LOCK_CLASS = 0x5c4ed;
    private static final int BUILD_LOCK = 1;

    private static Templates jvm;

    private final TestDatabase.Server server;
    private final String hash;
    private final Connection keeper;
    private final Populate populate;
    private boolean built;

    /** Fills a new template database; the test JVMs run schedctl's migrations, as its owner. */
    @FunctionalInterface
    interface Populate {
        void into(Connector.Target owner) throws SQLException;
    }

    static final Populate MIGRATIONS = owner -> new Migrations(Connector.simpleDataSource(owner)).migrate();

    /** The template for this build's migrations on the server, built if missing; kept in use until the JVM exits. */
    static synchronized String template(TestDatabase.Server server) throws SQLException {
        if (jvm == null) {
            Templates t = new Templates(server, migrationHash(), MIGRATIONS);
            t.prepare();
            jvm = t;
        } else {
            jvm.dropStale();
        }
        return jvm.name();
    }

    /** Holds the hash in use (a shared advisory lock on a connection of its own) until {@link #close()}. */
    Templates(TestDatabase.Server server, String hash, Populate populate) throws SQLException {
        this.server = server;
        this.hash = hash;
        this.populate = populate;
        this.keeper = TestDatabase.admin(server);
        try (PreparedStatement ps = keeper.prepareStatement("SELECT pg_advisory_lock_shared(?)")) {
            ps.setLong(1, key(hash));
            ps.execute();
        }
    }

    String name() {
        return PREFIX + hash;
    }

    /** Whether {@link #prepare()} had to build the template (false when it existed already). */
    boolean built() {
        return built;
    }

    /** Makes sure the template exists, building it under the build lock if not; then drops stale templates. */
    void prepare() throws SQLException {
        try (Statement st = keeper.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + LOCK_CLASS + ", " + BUILD_LOCK + ")");
            try {
                if (!exists(name())) {
                    build(st);
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + LOCK_CLASS + ", " + BUILD_LOCK + ")");
            }
        }
        dropStale();
    }

    private void build(Statement st) throws SQLException {
        String temp = name() + "_tmp";
        // a builder that died half-way left this; nobody else builds while we hold the build lock
        if (exists(temp)) {
            dropDatabase(st, temp);
        }
        st.execute("CREATE DATABASE " + temp);
        populate.into(new Connector.Target(server.urlFor(temp), server.user(), server.password(), null));
        if ("testcontainers".equals(server.kind()) && server.appPassword() != null) {
            st.execute("ALTER ROLE " + Connector.RUNTIME_ROLE + " PASSWORD '" + server.appPassword() + "'");
        }
        st.execute("ALTER DATABASE " + temp + " WITH ALLOW_CONNECTIONS false IS_TEMPLATE true");
        terminateSessions(st, temp);
        st.execute("ALTER DATABASE " + temp + " RENAME TO " + name());
        built = true;
    }

    /**
     * Drops every template database (finished or half-built) of another hash that no running test JVM holds. A
     * builder holds its hash, so a template being built is never taken for stale.
     */
    void dropStale() throws SQLException {
        List<String> candidates = new ArrayList<>();
        try (Statement st = keeper.createStatement();
             ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'schedctl\\_tpl\\_%'")) {
            while (rs.next()) {
                candidates.add(rs.getString(1));
            }
        }
        for (String db : candidates) {
            Matcher m = NAME.matcher(db);
            if (!m.matches() || m.group(1).equals(hash)) {
                continue;
            }
            long key = key(m.group(1));
            if (!tryLock(key)) {
                continue;
            }
            try (Statement st = keeper.createStatement()) {
                dropDatabase(st, db);
            } finally {
                try (PreparedStatement ps = keeper.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, key);
                    ps.execute();
                }
            }
        }
    }

    private boolean tryLock(long key) throws SQLException {
        try (PreparedStatement ps = keeper.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private boolean exists(String db) throws SQLException {
        try (PreparedStatement ps = keeper.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void dropDatabase(Statement st, String db) throws SQLException {
        st.execute("ALTER DATABASE " + db + " WITH IS_TEMPLATE false");
        st.execute("DROP DATABASE " + db + " WITH (FORCE)");
    }

    private static void terminateSessions(Statement st, String db) throws SQLException {
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "' AND pid <> pg_backend_pid()");
    }

    /** The per-hash advisory lock key: the hash's 64 bits. */
    static long key(String hash) {
        return Long.parseUnsignedLong(hash, 16);
    }

    /** Releases the hash (its template may then be dropped as stale by a JVM using another). */
    @Override
    public void close() throws SQLException {
        keeper.close();
    }

    /** SHA-256 over the migrations' file names and contents, in name order; its first 64 bits in hex. */
    static String migrationHash() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            URL url = Templates.class.getClassLoader().getResource("db/migration");
            if (url == null) {
                throw new IllegalStateException("no db/migration on the test classpath");
            }
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    digestTree(fs.getPath("/db/migration"), digest);
                }
            } else {
                digestTree(Path.of(uri), digest);
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void digestTree(Path root, MessageDigest digest) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString())).toList();
        }
        for (Path f : files) {
            digest.update(root.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(Files.readAllBytes(f));
            digest.update((byte) 0);
        }
    }
}
