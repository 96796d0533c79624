package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.zaxxer.hikari.HikariDataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.store.Connector;
import org.schedctl.test.TestDatabase;

/**
 * The database enforces the roles by itself: the catalog (who owns what, RLS forced everywhere), what each
 * role sees and may change through raw SQL on the runtime role, and that a pooled connection forgets its user.
 */
class RowSecurityIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static SchoolFixture school;
    static Jdbi owner;
    static Jdbi app;

    /**
     * Tables that hold no school data; every other table in schema public must be under forced RLS. app_clock (V61)
     * is the owner's bound on "now", with no privilege for the runtime role at all.
     */
    static final Set<String> NOT_SCHOOL_DATA = Set.of("time_zones", "flyway_schema_history", "app_clock");

    /** Reference data, Flyway's history, and Quartz's scheduler state (qrtz_*, V40) hold no school data. */
    static boolean notSchoolData(String table) {
        return NOT_SCHOOL_DATA.contains(table) || table.startsWith("qrtz_");
    }

    @BeforeAll
    static void setUp() {
        school = new SchoolFixture(db);
        owner = Jdbi.create(db.ownerDataSource());
        app = Jdbi.create(db.dataSource());
    }

    /** A transaction on the runtime role acting as the user (null: nobody), as Database does it. */
    static <T> T as(Long user, Function<Handle, T> work) {
        return app.inTransaction(h -> {
            h.createQuery("SELECT set_config('app.user_id', :id, true)").bind("id", user == null ? "" : user.toString())
                    .mapTo(String.class).one();
            return work.apply(h);
        });
    }

    static int exec(Long user, String sql, Object... args) {
        return as(user, h -> h.execute(sql, args));
    }

    static long count(Long user, String table) {
        return as(user, h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    static List<String> schoolTables() {
        return owner.withHandle(h -> h.createQuery("""
                SELECT relname FROM pg_class
                WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY relname""")
                .mapTo(String.class).list()).stream().filter(t -> !notSchoolData(t)).toList();
    }

    static void assertDenied(Runnable action) {
        RuntimeException e = assertThrows(RuntimeException.class, action::run);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                assertEquals("42501", sql.getSQLState(), sql.getMessage());
                return;
            }
        }
        throw new AssertionError("expected SQLSTATE 42501, got " + e, e);
    }

    // ----------------------------------------------------------------------------------------------- catalog

    @Test
    void runtimeRoleIsNeitherSuperuserNorBypassNorOwner() {
        Map<String, Object> role = owner.withHandle(h -> h.createQuery("""
                SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = 'schedctl_app'""")
                .mapToMap().one());
        assertEquals(false, role.get("rolsuper"));
        assertEquals(false, role.get("rolbypassrls"));
        assertEquals(false, role.get("rolcreaterole"));
        assertEquals(false, role.get("rolcreatedb"));
        assertEquals(true, role.get("rolcanlogin"));
        long owned = owner.withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
                     + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
                     + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
                     + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
                FROM pg_roles r WHERE rolname = 'schedctl_app'""").mapTo(Long.class).one());
        assertEquals(0, owned, "schedctl_app owns nothing");
        // The runtime pool really is that role.
        assertEquals(Connector.RUNTIME_ROLE, app.withHandle(h -> h.createQuery("SELECT current_user").mapTo(String.class).one()));
    }

    @Test
    void everySchoolTableHasForcedRowLevelSecurityAndPoliciesOfItsOwn() {
        // Reads the catalog, so tables added by later migrations are covered without touching this test.
        List<Map<String, Object>> rows = owner.withHandle(h -> h.createQuery("""
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname <> 'owner_maintenance') AS policies
                FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')""").mapToMap().list());
        Set<String> missing = new TreeSet<>();
        for (Map<String, Object> r : rows) {
            String table = (String) r.get("relname");
            if (notSchoolData(table)) {
                continue;
            }
            if (!Boolean.TRUE.equals(r.get("relrowsecurity")) || !Boolean.TRUE.equals(r.get("relforcerowsecurity"))
                    || ((Number) r.get("policies")).longValue() == 0) {
                missing.add(table + " (rls=" + r.get("relrowsecurity") + ", forced=" + r.get("relforcerowsecurity")
                        + ", policies=" + r.get("policies") + ")");
            }
        }
        assertTrue(missing.isEmpty(), "tables without forced RLS and policies: " + missing);
        assertTrue(schoolTables().containsAll(List.of("users", "appointments", "audit_log", "appointment_notifications")));
    }

    @Test
    void auditLogIsAppendOnlyForTheRuntimeRole() {
        Map<String, Object> privs = owner.withHandle(h -> h.createQuery("""
                SELECT has_table_privilege('schedctl_app', 'audit_log', 'SELECT') AS sel,
                       has_table_privilege('schedctl_app', 'audit_log', 'INSERT') AS ins,
                       has_table_privilege('schedctl_app', 'audit_log', 'UPDATE') AS upd,
                       has_table_privilege('schedctl_app', 'audit_log', 'DELETE') AS del,
                       has_table_privilege('schedctl_app', 'audit_log', 'TRUNCATE') AS trunc,
                       has_table_privilege('schedctl_app', 'flyway_schema_history', 'INSERT') AS flyway_ins""").mapToMap().one());
        assertEquals(Map.of("sel", true, "ins", true, "upd", false, "del", false, "trunc", false, "flyway_ins", false), privs);
        assertDenied(() -> as(school.admin, h -> h.execute("UPDATE audit_log SET actor_id = NULL")));
        assertDenied(() -> as(school.admin, h -> h.execute("DELETE FROM audit_log")));
        assertDenied(() -> as(school.admin, h -> h.execute("TRUNCATE audit_log")));
        // Appending in someone else's name is refused too.
        assertDenied(() -> as(school.a, h -> h.execute(
                "INSERT INTO audit_log (actor_id, action, entity, entity_id) VALUES (?, 'update', 'users', '1')", school.b)));
    }

    @Test
    void everySecurityDefinerFunctionPinsItsSearchPath() {
        List<String> unpinned = owner.withHandle(h -> h.createQuery("""
                SELECT p.proname FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
                  AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c WHERE c LIKE 'search_path=%')""")
                .mapTo(String.class).list());
        assertEquals(List.of(), unpinned, "SECURITY DEFINER functions must SET search_path");
    }

    // ------------------------------------------------------------------------------------------ visibility

    @Test
    void nobodySeesNothingInAnySchoolTableButTheZones() {
        for (String table : schoolTables()) {
            assertEquals(0, count(null, table), table + " must be invisible without an acting user");
            assertTrue(count(school.admin, table) >= 0);
        }
        assertTrue(count(null, "time_zones") > 400, "zones are readable by all");
        assertEquals(0, count(null, "users"));
        assertTrue(count(school.admin, "users") >= 6);
    }

    @Test
    void eachRoleSeesExactlyItsRows() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        //                                                 A  B  S  admin
        expected.put("instructor_settings", new long[] {1, 1, 0, 2});
        expected.put("appointment_types", new long[] {3, 2, 2, 3});
        expected.put("instructor_availability", new long[] {2, 2, 2, 2});
        expected.put("time_blocks", new long[] {1, 1, 0, 2});
        expected.put("time_block_occurrences", new long[] {2, 2, 2, 2});
        expected.put("booking_sessions", new long[] {1, 1, 1, 2});
        expected.put("appointments", new long[] {1, 1, 1, 2});
        expected.put("appointment_events", new long[] {1, 1, 1, 2});
        expected.put("appointment_attachments", new long[] {1, 1, 1, 2});
        expected.put("appointment_waitlist", new long[] {1, 1, 1, 2});
        expected.put("appointment_notifications", new long[] {2, 2, 1, 4});
        expected.put("appointment_analytics", new long[] {1, 1, 0, 2});
        // The fixture's row plus the 'bookings' counter the appointments_metrics trigger (V45) adds for each booking.
        expected.put("booking_metrics_realtime", new long[] {2, 2, 0, 4});
        long[] actors = {school.a, school.b, school.s, school.admin};
        expected.forEach((table, counts) -> {
            for (int i = 0; i < actors.length; i++) {
                assertEquals(counts[i], count(actors[i], table), table + " as " + List.of("A", "B", "S", "admin").get(i));
            }
        });
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test"), emails(school.a), "A: self, instructors, own students");
        assertEquals(Set.of("a@school.test", "b@school.test", "t@school.test"), emails(school.b));
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test"), emails(school.s), "S: self and the instructors");
        assertEquals(Set.of("a@school.test", "b@school.test", "t@school.test"), emails(school.t));
        // An instructor reads the blocks' reasons only on their own blocks.
        assertEquals(List.of("private reason"), as(school.a, h -> h.createQuery("SELECT reason FROM time_blocks").mapTo(String.class).list()));
        // A student's appointment list is theirs alone.
        assertEquals(List.of(school.apptA), as(school.s, h -> h.createQuery("SELECT id FROM appointments").mapTo(Long.class).list()));
    }

    private static Set<String> emails(long user) {
        List<String> emails = as(user, h -> h.createQuery("SELECT email FROM users").mapTo(String.class).list());
        return new TreeSet<>(emails);
    }

    @Test
    void auditRowsAreVisibleToAdminsAndToThoseTheyAreAbout() {
        long all = count(school.admin, "audit_log");
        long forS = count(school.s, "audit_log");
        assertTrue(forS > 0 && forS < all, forS + " of " + all);
        List<Map<String, Object>> rows = as(school.s, h -> h.createQuery(
                "SELECT actor_id, entity, entity_id, coalesce(after, before)::text AS data FROM audit_log").mapToMap().list());
        for (Map<String, Object> r : rows) {
            String data = (String) r.get("data");
            boolean about = Long.valueOf(school.s).equals(r.get("actor_id"))
                    || ("users".equals(r.get("entity")) && String.valueOf(school.s).equals(r.get("entity_id")))
                    || data.contains("\"student_id\": " + school.s + ",") || data.contains("\"recipient_id\": " + school.s + ",");
            assertTrue(about, "S must not see " + r);
        }
        assertEquals(0, count(null, "audit_log"));
    }

    // ------------------------------------------------------------------------------------------- writes

    @Test
    void writesOutsideOnesOwnRowsAreRefusedOrTouchNothing() {
        // Students and instructors cannot promote themselves; they may edit their own profile.
        assertDenied(() -> as(school.s, h -> h.execute("UPDATE users SET role = 'admin' WHERE id = ?", school.s)));
        assertDenied(() -> as(school.a, h -> h.execute("UPDATE users SET role = 'admin' WHERE id = ?", school.a)));
        assertEquals(1, exec(school.s, "UPDATE users SET locale = 'de' WHERE id = ?", school.s));
        assertEquals(0, exec(school.s, "UPDATE users SET name = 'x' WHERE id = ?", school.t));
        assertDenied(() -> as(school.s, h -> h.execute(
                "INSERT INTO users (email, name, role) VALUES ('evil@school.test', 'Evil', 'admin')")));
        // Other people's appointments are out of reach; one's own cannot be handed to someone else.
        assertEquals(0, exec(school.s, "UPDATE appointments SET notes = 'x' WHERE id = ?", school.apptB));
        assertEquals(0, exec(school.a, "UPDATE appointments SET notes = 'x' WHERE id = ?", school.apptB));
        assertEquals(0, exec(school.s, "DELETE FROM appointments WHERE id = ?", school.apptA));
        assertDenied(() -> as(school.s, h -> h.execute("UPDATE appointments SET student_id = ? WHERE id = ?", school.t, school.apptA)));
        // The instructor's lifecycle steps and the school's fields are not the student's to change.
        assertDenied(() -> exec(school.s, "UPDATE appointments SET status = 'completed' WHERE id = ?", school.apptA));
        assertDenied(() -> exec(school.s, "UPDATE appointments SET status = 'no_show' WHERE id = ?", school.apptA));
        assertDenied(() -> exec(school.s, "UPDATE appointments SET fee_waived = true WHERE id = ?", school.apptA));
        assertDenied(() -> exec(school.s, "UPDATE appointments SET price = 0, currency = 'EUR' WHERE id = ?", school.apptA));
        assertDenied(() -> exec(school.s, "UPDATE appointments SET instructor_notes = 'fine' WHERE id = ?", school.apptA));
        // nor when its reminders are owed: moved alone, it would silence the instructor's reminders too (issue 11)
        assertDenied(() -> exec(school.s, "UPDATE appointments SET reminders_from = starts_at WHERE id = ?", school.apptA));
        assertEquals(1, exec(school.s, "UPDATE appointments SET notes = 'bring scales' WHERE id = ?", school.apptA));
        // Cancelling is the student's own step (rolled back so the fixture stays as it is).
        assertThrows(IllegalStateException.class, () -> app.useTransaction(h -> {
            h.createQuery("SELECT set_config('app.user_id', ?, true)").bind(0, String.valueOf(school.s)).mapTo(String.class).one();
            assertEquals(1, h.execute("UPDATE appointments SET status = 'cancelled', cancel_reason = 'ill' WHERE id = ?", school.apptA));
            throw new IllegalStateException("roll back");
        }));
        assertEquals(1, exec(school.a, "UPDATE appointments SET instructor_notes = 'good progress' WHERE id = ?", school.apptA));
        // Instructors manage their own offerings and blocks only; students none.
        assertDenied(() -> as(school.s, h -> h.execute(
                "INSERT INTO appointment_types (instructor_id, slug, name, duration) VALUES (?, 'mine', 'Mine', '1 hour')", school.s)));
        assertDenied(() -> as(school.a, h -> h.execute(
                "INSERT INTO appointment_types (instructor_id, slug, name, duration) VALUES (?, 'for-b', 'For B', '1 hour')", school.b)));
        assertDenied(() -> as(school.a, h -> h.execute("""
                INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                VALUES (?, 'unavailable', '2030-05-01T00:00Z', '2030-05-02T00:00Z', 'UTC', '2030-05-01T00:00', '2030-05-02T00:00')""", school.b)));
        assertEquals(0, exec(school.a, "UPDATE instructor_settings SET max_daily = 1 WHERE instructor_id = ?", school.b));
        assertEquals(0, exec(school.a, "DELETE FROM instructor_availability WHERE instructor_id = ?", school.b));
        assertEquals(0, exec(school.s, "UPDATE appointment_analytics SET booked = 99"));
        // Nobody acting: nothing is writable.
        assertDenied(() -> as(null, h -> h.execute("INSERT INTO users (email, name, role) VALUES ('n@school.test', 'N', 'admin')")));
        assertEquals(0, exec(null, "UPDATE users SET name = 'x'"));
        assertEquals(0, exec(null, "DELETE FROM appointment_types"));
        // What was allowed is audited with its actor.
        assertEquals(1L, count(school.admin, "audit_log WHERE actor_id = " + school.s + " AND entity = 'users' AND after ->> 'locale' = 'de'"));
    }

    // -------------------------------------------------------------------------------------- pool leak

    @Test
    void aPooledConnectionForgetsTheActingUserAfterTheTransaction() throws SQLException {
        HikariDataSource one = Connector.pool(new Connector.Target(db.url(), Connector.RUNTIME_ROLE,
                TestDatabase.server().appPassword(), null), 1);
        try {
            Jdbi single = Jdbi.create(one);
            long seen = single.inTransaction(h -> {
                h.createQuery("SELECT set_config('app.user_id', ?, true)").bind(0, String.valueOf(school.a)).mapTo(String.class).one();
                return h.createQuery("SELECT count(*) FROM appointments").mapTo(Long.class).one();
            });
            assertEquals(1, seen);
            // The same physical connection (a pool of one), next use without a user.
            try (Connection c = one.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT coalesce(current_setting('app.user_id', true), ''), "
                        + "(SELECT count(*) FROM appointments), (SELECT count(*) FROM users)")) {
                    rs.next();
                    assertEquals("", rs.getString(1));
                    assertEquals(0, rs.getLong(2));
                    assertEquals(0, rs.getLong(3));
                }
            }
            // A rolled-back transaction forgets it too.
            assertThrows(IllegalStateException.class, () -> single.useTransaction(h -> {
                h.createQuery("SELECT set_config('app.user_id', ?, true)").bind(0, String.valueOf(school.a)).mapTo(String.class).one();
                throw new IllegalStateException("roll back");
            }));
            assertEquals(Long.valueOf(0), single.withHandle(h -> h.createQuery("SELECT count(*) FROM appointments").mapTo(Long.class).one()));
            // And Database, which the services use, leaves nothing behind either.
            new org.schedctl.store.Database(one, "a@school.test", "test").inTransaction(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            Boolean anyUser = single.withHandle(h -> h.createQuery("SELECT count(*) > 0 FROM users").mapTo(Boolean.class).one());
            assertFalse(anyUser);
        } finally {
            one.close();
        }
    }
    // ------------------------------------------------------------------------------- matrix, second pass (V48)

    /** Runs the work as the user on the runtime role and rolls it back, so the fixture stays as it is. */
    static <T> T rolledBack(Long user, Function<Handle, T> work) {
        Object[] result = new Object[1];
        RuntimeException done = assertThrows(RuntimeException.class, () -> app.useTransaction(h -> {
            h.createQuery("SELECT set_config('app.user_id', :id, true)").bind("id", user == null ? "" : user.toString())
                    .mapTo(String.class).one();
            result[0] = work.apply(h);
            throw new IllegalStateException("roll back");
        }));
        if (!"roll back".equals(done.getMessage())) {
            throw done;
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    static int tryExec(Long user, Function<Handle, Integer> work) {
        Integer rows = rolledBack(user, work);
        return rows;
    }

    static Set<String> strings(Long user, String sql) {
        List<String> values = as(user, h -> h.createQuery(sql).mapTo(String.class).list());
        return new TreeSet<>(values);
    }

    @Test
    void contactDetailsOnlyThroughUserContacts() {
        // The runtime role reads the directory columns of users, never the contact columns.
        for (Long user : java.util.Arrays.asList(school.a, school.b, school.s, school.admin, null)) {
            assertDenied(() -> as(user, h -> h.createQuery("SELECT phone FROM users").mapTo(String.class).list()));
            assertDenied(() -> as(user, h -> h.createQuery("SELECT * FROM users").mapToMap().list()));
            assertDenied(() -> as(user, h -> h.createQuery("SELECT u FROM users u").mapToMap().list()));
        }
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test"), strings(school.s, "SELECT email FROM users"));
        // Full rows: oneself, administrators, and an instructor's own students (an appointment with them).
        assertEquals(Set.of("+49 30 1111"), strings(school.s, "SELECT phone FROM user_contacts"));
        assertEquals(Set.of("+49 30 9991", "+49 30 1111"), strings(school.a, "SELECT phone FROM user_contacts"));
        assertEquals(Set.of("+49 30 9992", "+49 30 2222"), strings(school.b, "SELECT phone FROM user_contacts"));
        assertEquals(Set.of("a@school.test", "s@school.test"), strings(school.a, "SELECT email FROM user_contacts"));
        assertEquals(Long.valueOf(0), as(null, h -> h.createQuery("SELECT count(*) FROM user_contacts").mapTo(Long.class).one()));
        assertTrue(strings(school.admin, "SELECT phone FROM user_contacts WHERE phone IS NOT NULL")
                .containsAll(List.of("+49 30 9991", "+49 30 9992", "+49 30 1111", "+49 30 2222")));
        // A leaky predicate cannot see rows the view filters (security_barrier): S probing for A's phone learns nothing.
        assertEquals(Long.valueOf(0), as(school.s, h -> h.createQuery("SELECT count(*) FROM user_contacts WHERE phone LIKE '+49 30 999%'").mapTo(Long.class).one()));
        // A waitlist entry alone shows an instructor the student's directory row, not their contact details.
        long u = owner.withHandle(h -> h.createQuery("SELECT id FROM users WHERE email = 'u@school.test'").mapTo(Long.class).one());
        List<String> contactsOfU = rolledBack(school.admin, h -> {
            h.execute("INSERT INTO appointment_waitlist (student_id, instructor_id, type_id, window_start, window_end) "
                    + "SELECT ?, ?, id, '2031-01-01T00:00Z', '2031-01-02T00:00Z' FROM appointment_types WHERE slug = 'a-lesson'", u, school.a);
            h.createQuery("SELECT set_config('app.user_id', ?, true)").bind(0, String.valueOf(school.a)).mapTo(String.class).one();
            assertEquals(List.of("u@school.test"), h.createQuery("SELECT email FROM users WHERE id = ?").bind(0, u).mapTo(String.class).list());
            return h.createQuery("SELECT email FROM user_contacts WHERE id = ?").bind(0, u).mapTo(String.class).list();
        });
        assertEquals(List.of(), contactsOfU);
        // Writing one's own profile still works (UPDATE needs no SELECT on the column it sets).
        assertEquals(1, tryExec(school.s, h -> h.execute("UPDATE users SET phone = '+49 30 5555' WHERE id = ?", school.s)));
    }

    @Test
    void partiesAreNamedOnlyByThoseWhoHaveThem() {
        long typeA = owner.withHandle(h -> h.createQuery("SELECT id FROM appointment_types WHERE slug = 'a-lesson'").mapTo(Long.class).one());
        String waitlist = "INSERT INTO appointment_waitlist (student_id, instructor_id, type_id, window_start, window_end) "
                + "VALUES (?, ?, ?, '2031-01-01T00:00Z', '2031-01-02T00:00Z')";
        String appointment = "INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone) "
                + "VALUES (?, ?, ?, 'held', '2031-01-06T10:00Z', '2031-01-06T11:00Z', 'UTC')";
        String hold = "INSERT INTO booking_sessions (student_id, instructor_id, type_id, expires_at) VALUES (?, ?, ?, '2031-01-01T00:00Z')";
        // A naming T (not A's student) would make T "theirs" and reveal T's details: refused, in all three tables.
        assertDenied(() -> rolledBack(school.a, h -> h.execute(waitlist, school.t, school.a, typeA)));
        assertDenied(() -> rolledBack(school.a, h -> h.execute(appointment, school.a, school.t, typeA)));
        assertDenied(() -> rolledBack(school.a, h -> h.execute(hold, school.t, school.a, typeA)));
        // Own students, and students for themselves, may.
        assertEquals(1, tryExec(school.a, h -> h.execute(waitlist, school.s, school.a, typeA)));
        assertEquals(1, tryExec(school.s, h -> h.execute(waitlist, school.s, school.a, typeA)));
        assertEquals(1, tryExec(school.a, h -> h.execute(hold, school.s, school.a, typeA)));
        assertDenied(() -> rolledBack(school.s, h -> h.execute(waitlist, school.t, school.a, typeA)));
        assertDenied(() -> rolledBack(school.b, h -> h.execute(waitlist, school.s, school.a, typeA)));
        assertDenied(() -> rolledBack(null, h -> h.execute(waitlist, school.s, school.a, typeA)));
        // Nobody but an administrator moves a row to other parties.
        assertDenied(() -> rolledBack(school.a, h -> h.execute("UPDATE appointments SET student_id = ? WHERE id = ?", school.t, school.apptA)));
        assertDenied(() -> rolledBack(school.a, h -> h.execute("UPDATE appointment_waitlist SET student_id = ? WHERE instructor_id = ?", school.t, school.a)));
        assertDenied(() -> rolledBack(school.s, h -> h.execute("UPDATE appointment_waitlist SET instructor_id = ? WHERE student_id = ?", school.b, school.s)));
        assertDenied(() -> rolledBack(school.s, h -> h.execute("UPDATE booking_sessions SET instructor_id = ? WHERE student_id = ?", school.b, school.s)));
        assertEquals(1, tryExec(school.admin, h -> h.execute("UPDATE appointment_waitlist SET student_id = ? WHERE instructor_id = ?", school.s, school.b)));
        // History and attachments are appended in one's own name only.
        String event = "INSERT INTO appointment_events (appointment_id, actor_id, action, to_status, starts_at, ends_at) "
                + "SELECT id, ?, 'confirm', 'confirmed', starts_at, ends_at FROM appointments WHERE id = ?";
        String attachment = "INSERT INTO appointment_attachments (appointment_id, uploaded_by, file_name, content_type, size_bytes, sha256, content) "
                + "VALUES (?, ?, 'x.txt', 'text/plain', 1, repeat('b', 64), 'x'::bytea)";
        assertDenied(() -> rolledBack(school.s, h -> h.execute(event, school.a, school.apptA)));
        assertEquals(1, tryExec(school.s, h -> h.execute(event, school.s, school.apptA)));
        assertEquals(0, tryExec(school.b, h -> h.execute(event, school.b, school.apptA)), "B cannot even name A's appointment");
        assertDenied(() -> rolledBack(school.s, h -> h.execute(attachment, school.apptA, school.a)));
        assertEquals(1, tryExec(school.s, h -> h.execute(attachment, school.apptA, school.s)));
        assertDenied(() -> rolledBack(null, h -> h.execute(attachment, school.apptA, school.s)));
    }

    @Test
    void waitlistMatrix() {
        //                       seen by A  B  S  nobody
        assertEquals(1, count(school.a, "appointment_waitlist"));
        assertEquals(1, count(school.b, "appointment_waitlist"));
        assertEquals(1, count(school.s, "appointment_waitlist"));
        assertEquals(0, count(null, "appointment_waitlist"));
        // Updates reach only one's own entries; deletes only the student's own (and admins').
        assertEquals(1, tryExec(school.s, h -> h.execute("UPDATE appointment_waitlist SET status = 'removed'")));
        assertEquals(1, tryExec(school.a, h -> h.execute("UPDATE appointment_waitlist SET status = 'removed'")));
        assertEquals(0, tryExec(null, h -> h.execute("UPDATE appointment_waitlist SET status = 'removed'")));
        assertEquals(0, tryExec(school.a, h -> h.execute("DELETE FROM appointment_waitlist")));
        assertEquals(1, tryExec(school.s, h -> h.execute("DELETE FROM appointment_waitlist")));
        assertEquals(0, tryExec(null, h -> h.execute("DELETE FROM appointment_waitlist")));
        assertEquals(2, tryExec(school.admin, h -> h.execute("DELETE FROM appointment_waitlist")));
    }

    @Test
    void outboxIsWrittenByTheSystemOnly() {
        String insert = "INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, due_at, idempotency_key) "
                + "VALUES (?, ?, 'booked', 'email', 'victim@elsewhere.test', now(), 'forged-' || ?)";
        // Any address the dispatcher (acting as administrator) would send to: refused to everyone but administrators.
        assertDenied(() -> rolledBack(school.s, h -> h.execute(insert, school.apptA, school.s, "s")));
        assertDenied(() -> rolledBack(school.a, h -> h.execute(insert, school.apptA, school.a, "a")));
        assertDenied(() -> rolledBack(school.b, h -> h.execute(insert, school.apptA, school.s, "b")));
        assertDenied(() -> rolledBack(null, h -> h.execute(insert, school.apptA, school.s, "n")));
        assertEquals(1, tryExec(school.admin, h -> h.execute(insert, school.apptA, school.s, "admin")));
        // Rewriting a message (its address, its state) is refused; cancelling a pending one is what cancel does.
        assertDenied(() -> rolledBack(school.s, h -> h.execute("UPDATE appointment_notifications SET recipient = 'victim@elsewhere.test'")));
        assertDenied(() -> rolledBack(school.a, h -> h.execute("UPDATE appointment_notifications SET status = 'pending', attempts = 0")));
        assertDenied(() -> rolledBack(school.s, h -> h.execute("UPDATE appointment_notifications SET status = 'sent'")));
        assertEquals(1, tryExec(school.s, h -> h.execute("UPDATE appointment_notifications SET status = 'cancelled' WHERE status = 'pending'")));
        assertEquals(2, tryExec(school.a, h -> h.execute("UPDATE appointment_notifications SET status = 'cancelled' WHERE status = 'pending'")));
        assertEquals(0, tryExec(school.b, h -> h.execute("UPDATE appointment_notifications SET status = 'cancelled' WHERE appointment_id = ?", school.apptA)));
        assertEquals(0, tryExec(null, h -> h.execute("UPDATE appointment_notifications SET status = 'cancelled'")));
        for (Long user : java.util.Arrays.asList(school.a, school.b, school.s, null)) {
            assertEquals(0, tryExec(user, h -> h.execute("DELETE FROM appointment_notifications")));
        }
        assertEquals(4, tryExec(school.admin, h -> h.execute("UPDATE appointment_notifications SET attempts = 1")));
    }

    @Test
    void availabilityMatrix() {
        String weekly = "INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) VALUES (?, 6, '09:00', '10:00', 'UTC')";
        String block = "INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end) "
                + "VALUES (?, 'unavailable', '2031-05-01T00:00Z', '2031-05-02T00:00Z', 'UTC', '2031-05-01T00:00', '2031-05-02T00:00')";
        assertEquals(1, tryExec(school.a, h -> h.execute(weekly, school.a)));
        assertEquals(1, tryExec(school.a, h -> h.execute(block, school.a)));
        for (Long user : java.util.Arrays.asList(school.b, school.s, null)) {
            assertDenied(() -> rolledBack(user, h -> h.execute(weekly, school.a)));
            assertDenied(() -> rolledBack(user, h -> h.execute(block, school.a)));
            assertEquals(0, tryExec(user, h -> h.execute("UPDATE instructor_availability SET end_time = '18:00' WHERE instructor_id = ?", school.a)));
            assertEquals(0, tryExec(user, h -> h.execute("DELETE FROM time_blocks WHERE instructor_id = ?", school.a)));
            assertEquals(0, tryExec(user, h -> h.execute("DELETE FROM time_block_occurrences WHERE instructor_id = ?", school.a)));
        }
        // A student cannot make themselves an instructor's schedule either.
        assertDenied(() -> rolledBack(school.s, h -> h.execute(weekly, school.s)));
        assertEquals(1, tryExec(school.a, h -> h.execute("DELETE FROM time_blocks WHERE instructor_id = ?", school.a)));
        // Reasons stay private: B and S see the occurrences (times), not A's blocks.
        assertEquals(0, count(school.b, "time_blocks WHERE instructor_id = " + school.a));
        assertEquals(0, count(school.s, "time_blocks"));
        assertEquals(1, count(school.s, "time_block_occurrences WHERE instructor_id = " + school.a));
    }

    @Test
    void onlyTheRuntimeRoleResolvesActingUsers() {
        Map<String, Object> grants = owner.withHandle(h -> h.createQuery("""
                SELECT has_function_privilege('schedctl_app', 'resolve_actor(text)', 'EXECUTE') AS app,
                       EXISTS (SELECT 1 FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                               WHERE p.oid = 'resolve_actor(text)'::regprocedure AND a.grantee = 0) AS public_resolve,
                       EXISTS (SELECT 1 FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                               WHERE p.oid = 'builtin_admin_id()'::regprocedure AND a.grantee = 0) AS public_admin,
                       has_table_privilege('schedctl_app', 'user_contacts', 'SELECT') AS contacts,
                       has_table_privilege('schedctl_app', 'user_contacts', 'INSERT') AS contacts_insert""").mapToMap().one());
        assertEquals(Map.of("app", true, "public_resolve", false, "public_admin", false, "contacts", true, "contacts_insert", false), grants);
    }
}
