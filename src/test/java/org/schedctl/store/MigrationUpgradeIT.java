package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.domain.UnavailableException;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * A database migrated by the releases before the repeatable migrations (verbatim copies of their V1…V50 under
 * src/test/resources/legacy-migration, migrated as they were: Flyway with outOfOrder) upgrades with
 * {@link Migrations#migrate()} and then equals a freshly migrated one in every function, policy, trigger and view,
 * and works.
 */
class MigrationUpgradeIT {
    @RegisterExtension
    static final TestDatabase fresh = new TestDatabase();

    private static final List<String> created = new ArrayList<>();
    private static String upgradedUrl;
    private static HikariDataSource upgraded;
    private static Map<String, Integer> legacyHistory;
    private static Schema.Probe beforeUpgrade;
    private static MigrateResult upgrade;

    @BeforeAll
    static void migrateWithTheOldFilesThenUpgrade() throws Exception {
        upgradedUrl = createDatabase("t_upgrade_");
        upgraded = ownerPool(upgradedUrl);
        migrateLegacy(upgraded);
        legacyHistory = versionedChecksums(upgraded);
        try (Connection c = upgraded.getConnection()) {
            beforeUpgrade = Schema.probe(c);
        }
        upgrade = new Migrations(upgraded).migrate();
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        if (upgraded != null) upgraded.close();
        for (String name : created) {
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    @Test
    void theOldFilesRecordedTheChecksumsMigrationsAccepts() throws IOException {
        Map<String, Integer> changed = new TreeMap<>();
        for (Map.Entry<String, Integer> e : legacyHistory.entrySet()) {
            String file = script("legacy-migration", e.getKey());
            int legacy;
            try (InputStream in = resource("legacy-migration/" + file)) {
                legacy = Schema.checksum(in.readAllBytes());
            }
            assertEquals(e.getValue(), legacy, "Schema.checksum agrees with Flyway on " + file);
            int current = Schema.checksum(Files.readAllBytes(Path.of("db", "migration", script("db/migration", e.getKey()))));
            if (current != legacy) {
                changed.put(e.getKey(), legacy);
            }
        }
        assertEquals(17, legacyHistory.size());
        assertEquals(changed, new TreeMap<>(Migrations.PRE_REPEATABLE_CHECKSUMS));
    }

    @Test
    void theSchemaCheckAsksForTheUpgradeAndIsSatisfiedAfterIt() throws SQLException {
        assertEquals(50, beforeUpgrade.version().orElseThrow());
        assertEquals(17, beforeUpgrade.migrations(), "the legacy V1..V50");
        assertTrue(beforeUpgrade.behind(), "no repeatable migration applied yet");
        assertEquals(Schema.REPEATABLE_MIGRATIONS.size(), beforeUpgrade.staleRepeatables());
        // the repeatable migrations, and the versioned ones added after V50 (V61, issue 12)
        assertEquals(Schema.REPEATABLE_MIGRATIONS.size() + Schema.EXPECTED_MIGRATIONS - 17, upgrade.migrationsExecuted,
                "only the repeatable migrations and the versions after V50 ran");
        try (Connection c = upgraded.getConnection()) {
            Schema.Probe after = Schema.probe(c);
            assertFalse(after.behind(), after.toString());
            assertEquals(Schema.expectedRepeatableChecksums(), after.repeatables(), "Schema.checksum agrees with Flyway on the R files");
        }
        assertEquals(0, new Migrations(upgraded).migrate().migrationsExecuted, "a second migrate has nothing to do");
    }

    @Test
    void theUpgradedDatabaseEqualsAFreshOne() throws SQLException {
        Map<String, List<String>> a = catalog(upgraded);
        Map<String, List<String>> b = catalog(fresh.ownerDataSource());
        for (String part : a.keySet()) {
            assertEquals(b.get(part), a.get(part), part + ": fresh (expected) against upgraded (actual)");
        }
        assertTrue(a.get("functions").size() > 40 && a.get("policies").size() > 60 && a.get("triggers").size() > 30,
                "the catalog queries see the schema");
    }

    @Test
    void bookingWorksOnTheUpgradedDatabase() throws SQLException {
        TestDatabase.Server s = TestDatabase.server();
        Map<String, String> env = new HashMap<>();
        env.put("SCHEDCTL_DB_URL", upgradedUrl);
        env.put("SCHEDCTL_DB_USER", Connector.RUNTIME_ROLE);
        if (s.appPassword() != null) env.put("SCHEDCTL_DB_PASSWORD", s.appPassword());
        if (s.user() != null) env.put("SCHEDCTL_DB_MIGRATE_USER", s.user());
        if (s.password() != null) env.put("SCHEDCTL_DB_MIGRATE_PASSWORD", s.password());
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        env.put("TZ", "UTC");
        CliDriver cli = new CliDriver(env, Clock.fixed(Instant.parse("2027-06-01T12:00:00Z"), ZoneOffset.UTC));
        cli.run("user", "add", "--name", "Teacher", "--email", "t@example.org", "--role", "instructor", "--tz", "Europe/Berlin").ok();
        cli.run("user", "add", "--name", "Ann", "--email", "ann@example.org").ok();
        cli.run("user", "add", "--name", "Bob", "--email", "bob@example.org").ok();
        cli.run("type", "add", "--instructor", "t@example.org", "--name", "Lesson", "--duration", "1h").ok();
        try (Connection c = upgraded.getConnection(); Statement st = c.createStatement()) {
            // The test's fixed clock (2027) drives the rules, as in every test database (TestDatabase, app_clock).
            st.execute("INSERT INTO app_clock (latest) VALUES ('infinity') ON CONFLICT (singleton) DO UPDATE SET latest = EXCLUDED.latest");
            st.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                    SELECT id, d, '09:00', '17:00', 'Europe/Berlin' FROM users, generate_series(1, 7) d
                    WHERE email = 't@example.org'""");
        }
        JsonNode booked = cli.run("-o", "json", "book", "--instructor", "t@example.org", "--type", "lesson",
                "--student", "ann@example.org", "--at", "2027-06-03T10:00").ok().json();
        assertEquals("confirmed", booked.get("status").asText());
        assertEquals("2027-06-03T10:00:00+02:00", booked.get("start").asText());
        String ref = booked.get("reference").asText();
        CliDriver.Result taken = cli.run("book", "--instructor", "t@example.org", "--type", "lesson",
                "--student", "bob@example.org", "--at", "2027-06-03T10:00");
        assertEquals(3, taken.exitCode(), taken.toString());
        assertTrue(taken.stderr().contains("slot is taken") && taken.stderr().contains("Next free: 2027-06-03T11:00:00+02:00"),
                taken.toString());
        assertEquals("cancelled", cli.run("-o", "json", "cancel", ref).ok().json().get("status").asText());
        try (Connection c = upgraded.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM appointment_notifications), "
                     + "(SELECT count(*) FROM audit_log WHERE entity = 'appointments')")) {
            rs.next();
            assertTrue(rs.getLong(1) > 0, "the outbox functions wrote notifications");
            assertTrue(rs.getLong(2) > 0, "the audit triggers wrote entries");
        }
    }

    @Test
    void anUnknownChecksumIsNeverRepaired() throws Exception {
        String url = createDatabase("t_tampered_");
        try (HikariDataSource pool = ownerPool(url)) {
            migrateLegacy(pool);
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '47'");
            }
            Migrations migrations = new Migrations(pool);
            assertFalse(migrations.realignRewrittenMigrations());
            UnavailableException refused = assertThrows(UnavailableException.class, migrations::migrate);
            assertTrue(refused.getMessage().contains("does not match this schedctl's migrations (Migration checksum mismatch for migration version 47)"),
                    refused.getMessage());
            assertEquals(1, refused.getMessage().lines().count(), refused.getMessage());
            Map<String, Integer> history = versionedChecksums(pool);
            assertEquals(Migrations.PRE_REPEATABLE_CHECKSUMS.get("47") + 1, history.get("47"));
            assertEquals(Migrations.PRE_REPEATABLE_CHECKSUMS.get("1"), history.get("1"), "nothing was repaired");
        }
    }

    // --------------------------------------------------------------------------------------------------------

    /** As the releases before the repeatable migrations configured Flyway. */
    private static void migrateLegacy(DataSource owner) {
        Flyway.configure().dataSource(owner).locations("classpath:legacy-migration").table("flyway_schema_history")
                .outOfOrder(true).loggers("slf4j").load().migrate();
    }

    private static Map<String, Integer> versionedChecksums(DataSource owner) throws SQLException {
        Map<String, Integer> m = new TreeMap<>();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, checksum FROM flyway_schema_history WHERE version IS NOT NULL AND success")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getInt(2));
            }
        }
        return m;
    }

    private static final Map<String, String> CATALOG = new LinkedHashMap<>();

    static {
        CATALOG.put("functions", """
                SELECT p.oid::regprocedure::text || ' returns ' || pg_get_function_result(p.oid)
                       || ' lang=' || l.lanname || ' vol=' || p.provolatile::text || ' par=' || p.proparallel::text
                       || ' strict=' || p.proisstrict || ' secdef=' || p.prosecdef || ' leak=' || p.proleakproof
                       || ' cost=' || p.procost || ' rows=' || p.prorows
                       || ' config=' || coalesce(p.proconfig::text, '') || ' acl=' || coalesce(p.proacl::text, '')
                       || ' args=' || pg_get_function_arguments(p.oid) || E'\\n' || p.prosrc
                FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                WHERE p.pronamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')""");
        CATALOG.put("policies", """
                SELECT c.relname || '.' || p.polname || ' cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive
                       || ' roles=' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1)
                                        FROM unnest(p.polroles) r)
                       || ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '')
                       || ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
                FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid""");
        CATALOG.put("triggers", """
                SELECT pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace""");
        CATALOG.put("views", """
                SELECT c.relname || ' ' || coalesce(c.reloptions::text, '') || ' acl=' || coalesce(c.relacl::text, '')
                       || E'\\n' || pg_get_viewdef(c.oid)
                FROM pg_class c WHERE c.relkind IN ('v', 'm') AND c.relnamespace = 'public'::regnamespace""");
        CATALOG.put("tables", """
                SELECT c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
                       || ' acl=' || coalesce(c.relacl::text, '')
                FROM pg_class c WHERE c.relkind IN ('r', 'p', 'S') AND c.relnamespace = 'public'::regnamespace
                  AND c.relname <> 'flyway_schema_history'""");
        CATALOG.put("columns", """
                SELECT c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
                       || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
                       || ' acl=' || coalesce(a.attacl::text, '')
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') AND a.attnum > 0
                  AND NOT a.attisdropped AND c.relname <> 'flyway_schema_history'""");
        CATALOG.put("constraints", """
                SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace""");
        CATALOG.put("indexes", """
                SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'flyway_schema_history'""");
    }

    /** What the schema consists of, part by part, each part sorted: the same text means the same objects. */
    private static Map<String, List<String>> catalog(DataSource owner) throws SQLException {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> part : CATALOG.entrySet()) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(part.getValue() + " ORDER BY 1")) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                    }
                }
                parts.put(part.getKey(), rows);
            }
        }
        return parts;
    }

    private static String script(String dir, String version) throws IOException {
        Path base = dir.equals("db/migration") ? Path.of("db", "migration") : Path.of("src", "test", "resources", dir);
        try (Stream<Path> s = Files.list(base)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("V" + version + "__")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no V" + version + " in " + base));
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MigrationUpgradeIT.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("missing test resource " + name);
        return in;
    }

    private static String createDatabase(String prefix) throws SQLException {
        String name = prefix + Long.toHexString(System.nanoTime());
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        created.add(name);
        String admin = TestDatabase.server().adminUrl();
        int slash = admin.indexOf('/', "jdbc:postgresql://".length());
        int q = admin.indexOf('?');
        return admin.substring(0, slash + 1) + name + (q < 0 ? "" : admin.substring(q));
    }

    private static HikariDataSource ownerPool(String url) {
        TestDatabase.Server s = TestDatabase.server();
        return Connector.pool(new Connector.Target(url, s.user(), s.password(), null), 2);
    }

    private static Connection admin() throws SQLException {
        TestDatabase.Server s = TestDatabase.server();
        Properties p = new Properties();
        if (s.user() != null) p.setProperty("user", s.user());
        if (s.password() != null) p.setProperty("password", s.password());
        return DriverManager.getConnection(s.adminUrl(), p);
    }
}
