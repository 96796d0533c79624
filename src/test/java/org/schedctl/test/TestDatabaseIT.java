package org.schedctl.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.schedctl.store.Schema;

/**
 * The test databases: every class gets a complete schema of its own, cloned from one migrated template per set of
 * migrations instead of migrating again; templates nobody uses any more are dropped. Drives {@link TestDatabase} as
 * JUnit does, through beforeAll/afterAll.
 */
class TestDatabaseIT {
    private final List<TestDatabase> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (TestDatabase d : open) {
            d.afterAll(context());
        }
    }

    private TestDatabase newClassDatabase() throws Exception {
        TestDatabase d = new TestDatabase();
        d.beforeAll(context());
        open.add(d);
        return d;
    }

    /** The one thing TestDatabase asks of JUnit's context: the test class. */
    private static ExtensionContext context() {
        return (ExtensionContext) Proxy.newProxyInstance(TestDatabaseIT.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRequiredTestClass" -> TestDatabaseIT.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static String one(TestDatabase d, String sql) throws SQLException {
        try (Connection c = d.ownerDataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "a row from: " + sql);
            return rs.getString(1);
        }
    }

    private static Connection admin() throws SQLException {
        return TestDatabase.admin(TestDatabase.server());
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            return rs.next();
        }
    }

    private static void createTemplateDatabase(String name) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            st.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false IS_TEMPLATE true");
        }
    }

    private static void dropIfLeft(String name) throws SQLException {
        if (databaseExists(name)) {
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE " + name + " WITH IS_TEMPLATE false");
                st.execute("DROP DATABASE " + name + " WITH (FORCE)");
            }
        }
    }

    @Test
    void classesShareOneMigrationRunThroughATemplate() throws Exception {
        TestDatabase a = newClassDatabase();
        TestDatabase b = newClassDatabase();
        assertNotEquals(a.name(), b.name());
        String history = "SELECT count(*) || ' ' || max(installed_on) FROM flyway_schema_history WHERE success AND version IS NOT NULL";
        // the same migration run (same installed_on) in both: cloned, not migrated twice
        assertEquals(one(a, history), one(b, history));
        assertEquals(String.valueOf(Schema.EXPECTED_MIGRATIONS), one(a, history).split(" ")[0]);
        String template = Templates.PREFIX + Templates.migrationHash();
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datistemplate, datallowconn FROM pg_database WHERE datname = '" + template + "'")) {
            assertTrue(rs.next(), "template " + template + " exists");
            assertTrue(rs.getBoolean(1), "marked as a template");
            assertFalse(rs.getBoolean(2), "accepts no connections, so cloning never finds it busy");
        }
    }

    @Test
    void eachClassHasItsOwnData() throws Exception {
        TestDatabase a = newClassDatabase();
        a.cli().run("user", "add", "--name", "Only A", "--email", "only-a@example.org").ok();
        TestDatabase b = newClassDatabase();
        assertEquals("1", one(a, "SELECT count(*) FROM users WHERE email = 'only-a@example.org'"));
        assertEquals("0", one(b, "SELECT count(*) FROM users WHERE email = 'only-a@example.org'"), "B sees none of A's rows");
        b.cli().run("user", "add", "--name", "Only B", "--email", "only-b@example.org").ok();
        assertEquals("0", one(a, "SELECT count(*) FROM users WHERE email = 'only-b@example.org'"), "A sees none of B's rows");
        // and the template itself took nothing from either
        TestDatabase c = newClassDatabase();
        assertEquals("0", one(c, "SELECT count(*) FROM users WHERE email LIKE 'only-%'"));
        // the runtime role works in a clone, under row-level security
        assertEquals("schedctl_app", c.database().inTransaction(h -> h.createQuery("SELECT current_user").mapTo(String.class).one()));
    }

    @Test
    void templatesOfOtherMigrationsAreDroppedUnlessInUse() throws Exception {
        String stale = Templates.PREFIX + "00000000000000aa";
        String staleHalfBuilt = Templates.PREFIX + "00000000000000ab_tmp";
        String inUse = Templates.PREFIX + "00000000000000bb";
        try {
            createTemplateDatabase(stale);
            createTemplateDatabase(staleHalfBuilt);
            createTemplateDatabase(inUse);
            try (Connection otherJvm = admin(); Statement st = otherJvm.createStatement()) {
                // what a test JVM using those migrations holds while it runs
                st.execute("SELECT pg_advisory_lock_shared(" + Templates.key("00000000000000bb") + ")");
                newClassDatabase();
                assertFalse(databaseExists(stale), "a template nobody uses is dropped");
                assertFalse(databaseExists(staleHalfBuilt), "a half-built template of a dead builder is dropped");
                assertTrue(databaseExists(inUse), "a template another JVM uses is kept");
                // The JVM ends. Unlocked explicitly: closing the connection alone releases the lock only once the
                // server has noticed, which under load may be after the next line's check.
                st.execute("SELECT pg_advisory_unlock_shared(" + Templates.key("00000000000000bb") + ")");
            }
            newClassDatabase();
            assertFalse(databaseExists(inUse), "dropped once its JVM is gone");
        } finally {
            dropIfLeft(stale);
            dropIfLeft(staleHalfBuilt);
            dropIfLeft(inUse);
        }
    }

    /** Stands in for the migrations (which the other tests cover): one table with one row. */
    private static void populateCheaply(org.schedctl.store.Connector.Target owner) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE built_once (at timestamptz NOT NULL DEFAULT now())");
            st.execute("INSERT INTO built_once DEFAULT VALUES");
        }
    }

    @Test
    void concurrentBuildersBuildOnceAndReplaceAHalfBuiltTemplate() throws Exception {
        String hash = "00000000000000cc";
        String name = Templates.PREFIX + hash;
        // this JVM's own template is in use first, so the builders below do not take it for stale
        newClassDatabase();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Templates> builders = new ArrayList<>();
        try {
            // a builder died half-way: its temporary database is left, empty
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name + "_tmp");
            }
            for (int i = 0; i < 2; i++) {
                builders.add(new Templates(TestDatabase.server(), hash, TestDatabaseIT::populateCheaply));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (Templates t : builders) {
                done.add(threads.submit(() -> {
                    go.await();
                    t.prepare();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
            assertEquals(1, builders.stream().filter(Templates::built).count(), "exactly one builds, the other waits and reuses");
            assertTrue(databaseExists(name));
            assertFalse(databaseExists(name + "_tmp"), "the half-built copy was replaced");
            try (Connection c = admin(); Statement st = c.createStatement()) {
                String clone = "t_templates_clone_check";
                st.execute("CREATE DATABASE " + clone + " TEMPLATE " + name);
                try (Connection cc = TestDatabase.admin(new TestDatabase.Server(TestDatabase.server().urlFor(clone), TestDatabase.server().user(),
                        TestDatabase.server().password(), "check", null)); Statement cst = cc.createStatement();
                     ResultSet rs = cst.executeQuery("SELECT count(*) FROM built_once")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the template was filled once, completely");
                } finally {
                    st.execute("DROP DATABASE " + clone + " WITH (FORCE)");
                }
            }
        } finally {
            threads.shutdownNow();
            for (Templates t : builders) {
                t.close();
            }
            dropIfLeft(name + "_tmp");
            dropIfLeft(name);
        }
    }
}
