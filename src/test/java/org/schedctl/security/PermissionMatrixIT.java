package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * The commands on main, as instructor A, instructor B, student S and the administrator: each sees and changes
 * exactly what its role allows. Refusals about things the user may know exist are exit 6 with a reason; things
 * the user may not know exist are "not found" (exit 4). "Nobody" through the CLI is an acting user that does not
 * resolve (--as / SCHEDCTL_USER naming no active user): every command that touches the database refuses with
 * exit 4 and writes nothing; through raw SQL (RowSecurityIT) it is a transaction without app.user_id.
 */
class PermissionMatrixIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static SchoolFixture school;
    static CliDriver admin;
    static CliDriver asA;
    static CliDriver asB;
    static CliDriver asS;
    static CliDriver asNobody;
    static org.jdbi.v3.core.Jdbi owner;

    @BeforeAll
    static void setUp() {
        school = new SchoolFixture(db);
        admin = db.cli();
        asA = db.cli().withEnv("SCHEDCTL_USER", "a@school.test"); // the environment variable ...
        asB = db.cli().withEnv("SCHEDCTL_USER", "b@school.test");
        asS = db.cli().withEnv("SCHEDCTL_USER", "s@school.test");
        asNobody = db.cli().withEnv("SCHEDCTL_USER", "nobody@school.test");
        owner = org.jdbi.v3.core.Jdbi.create(db.ownerDataSource());
    }

    /** What the tables hold, read as the owner: equal before and after a refused command means nothing was written. */
    static String state(String... tables) {
        StringBuilder sb = new StringBuilder();
        for (String table : tables) {
            String digest = owner.withHandle(h -> h.createQuery(
                    "SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM " + table + " t").mapTo(String.class).one());
            sb.append(table).append('=').append(digest);
            sb.append(' ');
        }
        return sb.toString();
    }

    static final String[] SCHOOL = {"users", "instructor_settings", "appointment_types", "instructor_availability", "time_blocks",
            "time_block_occurrences", "booking_sessions", "appointments", "appointment_waitlist", "appointment_notifications",
            "appointment_analytics", "audit_log"};

    /** The command is refused with this exit code and reason, and nothing in the school's tables changed. */
    static void assertRefused(CliDriver as, int code, String fragment, String... args) {
        String before = state(SCHOOL);
        assertError(as.run(args), code, fragment);
        assertEquals(before, state(SCHOOL), "nothing written by " + String.join(" ", args));
    }

    static void assertNobody(String... args) {
        assertRefused(asNobody, 4, "acting user 'nobody@school.test' does not exist or is inactive", args);
    }

    static void assertError(Result result, int code, String fragment) {
        assertEquals(code, result.exitCode(), result.toString());
        assertTrue(result.stderr().startsWith("schedctl: error: "), result.toString());
        assertTrue(result.stderr().contains(fragment), "expected '" + fragment + "' in " + result);
        assertEquals(1, result.stderr().strip().lines().count(), "one line: " + result);
        assertEquals("", result.stdout(), "nothing on stdout: " + result);
    }

    static Set<String> field(JsonNode array, String key) {
        Set<String> values = new TreeSet<>();
        array.forEach(n -> values.add(n.get(key).asText()));
        return values;
    }

    @Test
    void users() {
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test"), field(asA.run("-o", "json", "user", "list").ok().json(), "email"));
        assertEquals(Set.of("a@school.test", "b@school.test", "t@school.test"), field(asB.run("-o", "json", "user", "list").ok().json(), "email"));
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test"), field(asS.run("-o", "json", "user", "list").ok().json(), "email"));
        assertTrue(field(admin.run("-o", "json", "user", "list").ok().json(), "email").containsAll(List.of("t@school.test", "u@school.test")));
        // ... and --as select the acting user the same way.
        assertEquals(Set.of("a@school.test", "b@school.test"),
                field(admin.run("--as", "s@school.test", "-o", "json", "user", "list", "--role", "instructor").ok().json(), "email"));

        // Another student's existence is not revealed, to students or to instructors who do not teach them.
        assertError(asS.run("user", "show", "t@school.test"), 4, "not found");
        assertError(asS.run("user", "show", String.valueOf(school.t)), 4, "not found");
        assertError(asA.run("user", "show", "t@school.test"), 4, "not found");
        assertEquals("+49 30 2222", asB.run("-o", "json", "user", "show", "t@school.test").ok().json().get("phone").asText(),
                "an instructor sees the contact details of their own students");
        assertEquals("Instructor A", asS.run("-o", "json", "user", "show", "a@school.test").ok().json().get("name").asText());

        long users = admin.run("-o", "json", "user", "list").ok().json().size();
        assertError(asS.run("user", "add", "--name", "Mallory", "--email", "m@school.test", "--role", "admin"), 6, "only administrators can add users");
        assertError(asA.run("user", "add", "--name", "Mallory", "--email", "m@school.test"), 6, "only administrators can add users");
        assertEquals(users, admin.run("-o", "json", "user", "list").ok().json().size());
    }

    @Test
    void instructorSettings() {
        assertError(asB.run("instructor", "settings", "a@school.test", "--max-daily", "3"), 6, "only the instructor themselves");
        assertError(asS.run("instructor", "settings", "a@school.test", "--max-daily", "3"), 6, "students cannot");
        assertError(asB.run("instructor", "show", "a@school.test"), 6, "only the instructor themselves");
        assertError(asS.run("instructor", "show", "a@school.test"), 6, "students cannot");
        assertError(asS.run("instructor", "list"), 6, "user list --role instructor");
        assertTrue(admin.run("-o", "json", "instructor", "show", "a@school.test").ok().json().get("max_daily").isNull());

        assertEquals(3, asA.run("-o", "json", "instructor", "settings", "a@school.test", "--max-daily", "3").ok().json().get("max_daily").asInt());
        assertEquals(Set.of("b@school.test"), field(asB.run("-o", "json", "instructor", "list").ok().json(), "email"));
        assertEquals(Set.of("a@school.test", "b@school.test"), field(admin.run("-o", "json", "instructor", "list").ok().json(), "email"));
        // A student naming a student: "not an instructor" would reveal them, so the lookup itself fails first.
        assertError(asS.run("instructor", "show", "t@school.test"), 6, "students cannot");
        assertError(asA.run("instructor", "settings", "t@school.test", "--max-daily", "1"), 4, "not found");
    }

    @Test
    void appointmentTypes() {
        assertError(asB.run("type", "add", "--instructor", "a@school.test", "--name", "Sneaky", "--duration", "30m"), 6, "only the instructor themselves");
        assertError(asS.run("type", "add", "--instructor", "a@school.test", "--name", "Sneaky", "--duration", "30m"), 6, "students cannot add appointment types");
        assertError(asS.run("type", "add", "--instructor", "s@school.test", "--name", "Mine", "--duration", "30m"), 6, "students cannot");
        asA.run("type", "add", "--instructor", "a@school.test", "--name", "A New", "--duration", "30m").ok();

        assertError(asB.run("type", "archive", "a-lesson"), 6, "only the instructor themselves");
        assertError(asS.run("type", "archive", "a-lesson"), 6, "only the instructor themselves");
        assertFalse(admin.run("-o", "json", "type", "show", "a-lesson").ok().json().get("archived_at") != null
                && !admin.run("-o", "json", "type", "show", "a-lesson").ok().json().get("archived_at").isNull(), "not archived");

        assertEquals(Set.of("a-lesson", "a-new", "b-lesson"), field(asS.run("-o", "json", "type", "list").ok().json(), "slug"));
        assertEquals(Set.of("a-lesson", "a-new", "b-lesson"), field(asS.run("-o", "json", "type", "list", "--all").ok().json(), "slug"),
                "archived types of others stay hidden");
        assertEquals(Set.of("a-lesson", "a-new", "a-old", "b-lesson"), field(asA.run("-o", "json", "type", "list", "--all").ok().json(), "slug"));
        assertError(asS.run("type", "show", "a-old"), 4, "not found");
        assertError(asB.run("type", "show", "a-old"), 4, "not found");
        assertEquals("a-old", asA.run("-o", "json", "type", "show", "a-old").ok().json().get("slug").asText());
        asA.run("type", "archive", "a-new").ok();
    }

    @Test
    void analyticsAndExport() {
        assertError(asS.run("analytics", "aggregate", "--from", "2030-01-01", "--to", "2030-01-31"), 6, "only administrators");
        assertError(asA.run("analytics", "aggregate", "--from", "2030-01-01", "--to", "2030-01-31"), 6, "only administrators");
        assertError(asS.run("analytics", "report"), 6, "students cannot");
        assertError(asS.run("analytics", "dashboard"), 6, "students cannot");
        assertError(asB.run("analytics", "report", "--instructor", "a@school.test"), 6, "only the instructor themselves");
        JsonNode own = asA.run("-o", "json", "analytics", "report", "--from", "2030-01-01", "--to", "2030-01-31").ok().json();
        assertEquals(Set.of("a@school.test"), field(own, "instructor"), "an instructor's report is about them alone");
        assertTrue(field(admin.run("-o", "json", "analytics", "report", "--from", "2030-01-01", "--to", "2030-01-31").ok().json(),
                "instructor").containsAll(List.of("a@school.test", "b@school.test")));

        assertError(asB.run("export", "json", "--instructor", "a@school.test"), 6, "only the instructor themselves");
        assertError(asS.run("export", "json", "--student", "t@school.test"), 4, "not found");
        String refA = admin.run("-o", "json", "export", "json", "--instructor", "a@school.test").ok().json().get(0).get("reference").asText();
        String refB = admin.run("-o", "json", "export", "json", "--instructor", "b@school.test").ok().json().get(0).get("reference").asText();
        assertError(asS.run("export", "ics", "--ref", refB), 4, "not found");
        assertTrue(asS.run("export", "ics", "--ref", refA).ok().stdout().contains("BEGIN:VCALENDAR"));
        // A student naming an instructor gets their own appointments with that instructor, nobody else's.
        assertEquals(1, asS.run("-o", "json", "export", "json", "--instructor", "a@school.test").ok().json().size());
        assertEquals(0, asS.run("-o", "json", "export", "json", "--instructor", "b@school.test").ok().json().size());
    }

    /** Issue 17: a guardian of S acts and reads as S would, and no further; the student-only refusals name guardians. */
    @Test
    void guardian() {
        admin.run("user", "add", "--name", "Guardian G", "--email", "g@school.test", "--role", "guardian").ok();
        admin.run("guardian", "link", "g@school.test", "--student", "s@school.test").ok();
        CliDriver asG = db.cli().withEnv("SCHEDCTL_USER", "g@school.test");
        assertEquals(Set.of("a@school.test", "b@school.test", "s@school.test", "g@school.test"),
                field(asG.run("-o", "json", "user", "list").ok().json(), "email"));
        assertEquals(1, asG.run("-o", "json", "export", "json", "--instructor", "a@school.test").ok().json().size());
        assertEquals(0, asG.run("-o", "json", "export", "json", "--instructor", "b@school.test").ok().json().size());
        assertRefused(asG, 4, "not found", "export", "json", "--student", "t@school.test");
        assertRefused(asG, 6, "guardians cannot", "instructor", "settings", "a@school.test", "--max-daily", "3");
        assertRefused(asG, 6, "guardians cannot", "type", "add", "--instructor", "a@school.test", "--name", "Sneaky", "--duration", "30m");
        assertRefused(asG, 6, "guardians cannot", "analytics", "report");
        assertRefused(asG, 6, "only administrators", "guardian", "link", "g@school.test", "--student", "t@school.test");
        assertRefused(asG, 6, "only administrators", "user", "add", "--name", "M", "--email", "m2@school.test", "--role", "admin");
    }

    @Test
    void auditList() {
        JsonNode all = admin.run("-o", "json", "audit", "list").ok().json();
        JsonNode first = all.get(0);
        for (String key : List.of("id", "at", "actor", "command", "action", "entity", "entity_id", "before", "after")) {
            assertTrue(first.has(key), key + " in " + first);
        }
        assertTrue(field(all, "entity").containsAll(List.of("users", "appointment_types", "appointments")));

        JsonNode mine = asS.run("-o", "json", "audit", "list").ok().json();
        assertTrue(mine.size() > 0 && mine.size() < all.size(), mine.size() + " of " + all.size());
        for (JsonNode row : mine) {
            JsonNode data = row.get("after").isNull() ? row.get("before") : row.get("after");
            boolean about = "s@school.test".equals(row.get("actor").asText())
                    || ("users".equals(row.get("entity").asText()) && String.valueOf(school.s).equals(row.get("entity_id").asText()))
                    || data.path("student_id").asLong() == school.s || data.path("recipient_id").asLong() == school.s;
            assertTrue(about, "S must not see " + row);
        }
        JsonNode aboutA = asA.run("-o", "json", "audit", "list", "--entity", "appointments").ok().json();
        assertEquals(Set.of(String.valueOf(school.apptA)), field(aboutA, "entity_id"));

        JsonNode byAdmin = admin.run("-o", "json", "audit", "list", "--actor", "admin@schedctl.local", "--entity", "users").ok().json();
        assertTrue(field(byAdmin, "actor").equals(Set.of("admin@schedctl.local")) && byAdmin.size() >= 5, byAdmin.toString());
        assertEquals(0, admin.run("-o", "json", "audit", "list", "--since", "2999-01-01T00:00Z").ok().json().size());
        assertEquals(all.size(), admin.run("-o", "json", "audit", "list", "--since", "2000-01-01T00:00Z").ok().json().size());
        assertError(asS.run("audit", "list", "--actor", "t@school.test"), 4, "not found");
        assertError(admin.run("audit", "list", "--entity", "users; DROP TABLE users"), 2, "bad entity");
        assertError(admin.run("audit", "list", "--since", "yesterday"), 2, "bad time");
        assertEquals(2, admin.run("-o", "json", "audit", "list", "--limit", "2").ok().json().size());
    }
    static long waitlistId(long instructor) {
        return owner.withHandle(h -> h.createQuery("SELECT min(id) FROM appointment_waitlist WHERE instructor_id = ?")
                .bind(0, instructor).mapTo(Long.class).one());
    }

    @Test
    void waitlist() {
        assertEquals(Set.of("s@school.test"), field(asS.run("-o", "json", "waitlist", "list").ok().json(), "student"));
        assertEquals(Set.of("a@school.test"), field(asS.run("-o", "json", "waitlist", "list").ok().json(), "instructor"));
        assertEquals(Set.of("s@school.test"), field(asA.run("-o", "json", "waitlist", "list").ok().json(), "student"));
        assertEquals(Set.of("t@school.test"), field(asB.run("-o", "json", "waitlist", "list").ok().json(), "student"));
        assertEquals(Set.of("s@school.test", "t@school.test"), field(admin.run("-o", "json", "waitlist", "list").ok().json(), "student"));
        assertEquals(0, asS.run("-o", "json", "waitlist", "list", "--instructor", "b@school.test").ok().json().size());
        assertError(asS.run("waitlist", "list", "--student", "t@school.test"), 4, "not found");
        assertNobody("waitlist", "list");

        String[] window = {"--from", "2031-04-01T10:00Z", "--to", "2031-04-01T12:00Z"};
        // Naming a student one may not see is "not found"; naming visible people one does not act for is refused.
        assertRefused(asS, 4, "not found", cat(new String[] {"waitlist", "add", "--instructor", "a@school.test", "--type", "a-lesson", "--student", "t@school.test"}, window));
        assertRefused(asB, 4, "not found", cat(new String[] {"waitlist", "add", "--instructor", "b@school.test", "--type", "b-lesson", "--student", "s@school.test"}, window));
        assertRefused(asA, 6, "only the student themselves, the instructor or an administrator",
                cat(new String[] {"waitlist", "add", "--instructor", "b@school.test", "--type", "b-lesson", "--student", "s@school.test"}, window));
        assertNobody(cat(new String[] {"waitlist", "add", "--instructor", "a@school.test", "--type", "a-lesson", "--student", "s@school.test"}, window));
        long mine = asS.run(cat(new String[] {"-o", "json", "waitlist", "add", "--instructor", "a@school.test", "--type", "a-lesson",
                "--student", "s@school.test"}, window)).ok().json().get("id").asLong();
        long byA = asA.run(cat(new String[] {"-o", "json", "waitlist", "add", "--instructor", "a@school.test", "--type", "a-lesson",
                "--student", "s@school.test"}, window)).ok().json().get("id").asLong();

        String other = String.valueOf(waitlistId(school.b));
        assertRefused(asS, 4, "no waitlist entry", "waitlist", "remove", other);
        assertRefused(asA, 4, "no waitlist entry", "waitlist", "remove", other);
        assertRefused(asB, 4, "no waitlist entry", "waitlist", "remove", String.valueOf(mine));
        assertNobody("waitlist", "remove", String.valueOf(mine));
        assertEquals("removed", asS.run("-o", "json", "waitlist", "remove", String.valueOf(mine)).ok().json().get("status").asText());
        assertEquals("removed", asA.run("-o", "json", "waitlist", "remove", String.valueOf(byA)).ok().json().get("status").asText());
    }

    static String[] cat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static Set<String> ids(JsonNode array) {
        return field(array, "id");
    }

    @Test
    void notifications() {
        Set<String> all = ids(admin.run("-o", "json", "notifications", "list").ok().json());
        Set<String> ofS = ids(asS.run("-o", "json", "notifications", "list").ok().json());
        Set<String> ofA = ids(asA.run("-o", "json", "notifications", "list").ok().json());
        Set<String> ofB = ids(asB.run("-o", "json", "notifications", "list").ok().json());
        assertEquals(4, all.size(), all.toString());
        assertEquals(1, ofS.size(), "a student sees the messages to them: " + ofS);
        assertEquals(2, ofA.size(), "an instructor sees the messages about their appointments: " + ofA);
        assertEquals(2, ofB.size());
        assertTrue(ofA.containsAll(ofS) && java.util.Collections.disjoint(ofA, ofB), ofA + " " + ofB);
        assertEquals(Set.of("x@school.test"), field(asS.run("-o", "json", "notifications", "list").ok().json(), "recipient"));
        assertNobody("notifications", "list");

        // Operator work: one dispatch pass and re-queueing act on everyone's messages, so only administrators run them.
        String any = ofS.iterator().next();
        for (CliDriver as : List.of(asA, asB, asS)) {
            assertRefused(as, 6, "only administrators can run a dispatch pass", "notifications", "send-due");
            assertRefused(as, 6, "only administrators can put notifications back in the queue", "notifications", "retry", any);
            assertRefused(as, 6, "only administrators can run the daemon", "daemon", "--once");
        }
        assertNobody("notifications", "send-due");
        assertNobody("notifications", "retry", any);
        assertNobody("daemon", "--once");
        assertEquals(any, admin.run("-o", "json", "notifications", "retry", any).ok().json().get("id").asText());
    }

    @Test
    void operatorCommands() {
        for (CliDriver as : List.of(asA, asB, asS)) {
            assertRefused(as, 6, "only administrators can run `db migrate`", "db", "migrate");
            assertRefused(as, 6, "only administrators can run `db status`", "db", "status");
            assertRefused(as, 6, "only administrators can load the demo school", "demo");
            // No database, no acting user: completion scripts and the URL (never a password) are for everyone.
            assertEquals(0, as.run("completion", "bash").exitCode());
            assertEquals(0, as.run("db", "url").exitCode());
        }
        assertNobody("db", "migrate");
        assertNobody("db", "status");
        assertNobody("demo");
        assertEquals(0, asNobody.run("completion", "bash").exitCode());
        admin.run("db", "status").ok();
        admin.run("--as", "admin@schedctl.local", "db", "status").ok();
    }

    @Test
    void actingUserResolution() {
        // Missing, inactive, by email or by id: one answer, exit 4, whatever the command.
        owner.useHandle(h -> h.execute("INSERT INTO users (email, name, role) VALUES ('gone@school.test', 'Gone', 'student')"));
        owner.useHandle(h -> h.execute("UPDATE users SET active = false WHERE email = 'gone@school.test'"));
        long gone = owner.withHandle(h -> h.createQuery("SELECT id FROM users WHERE email = 'gone@school.test'").mapTo(Long.class).one());
        for (String ident : List.of("nobody@school.test", "gone@school.test", String.valueOf(gone), "999999999")) {
            for (String[] args : List.of(new String[] {"user", "list"}, new String[] {"notifications", "send-due"},
                    new String[] {"db", "status"}, new String[] {"availability", "slots", "--instructor", "a@school.test", "--type", "a-lesson",
                            "--from", "2030-01-07", "--to", "2030-01-07"})) {
                assertRefused(db.cli().withEnv("SCHEDCTL_USER", ident), 4, "acting user '" + ident + "' does not exist or is inactive", args);
            }
        }
        // By id and case-insensitively by email, an existing user acts.
        assertEquals("s@school.test", admin.run("--as", String.valueOf(school.s), "-o", "json", "user", "show", "S@School.Test").ok().json().get("email").asText());
    }

    @Test
    void availability() {
        String monday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(7)
                .with(java.time.temporal.TemporalAdjusters.next(java.time.DayOfWeek.MONDAY)).toString();
        String[] slots = {"-o", "json", "availability", "slots", "--instructor", "a@school.test", "--type", "a-lesson", "--from", monday, "--to", monday};
        int free = admin.run(slots).ok().json().size();
        assertTrue(free > 0);
        for (CliDriver as : List.of(asA, asB, asS)) {
            assertEquals(free, as.run(slots).ok().json().size(), "slots of every instructor are open to everyone");
        }
        assertNobody(slots);

        String[] set = {"availability", "set", "a@school.test", "--day", "SAT", "--from", "09:00", "--to", "10:00"};
        String[] block = {"availability", "block", "a@school.test", "--from", "2031-05-01T09:00Z", "--to", "2031-05-01T10:00Z", "--reason", "x"};
        String[] vacation = {"instructor", "vacation", "a@school.test", "--from", "2031-06-01", "--until", "2031-06-02"};
        String[] list = {"availability", "list", "a@school.test"};
        String[] export = {"availability", "export", "a@school.test"};
        for (String[] args : List.of(set, block, vacation, list, export)) {
            assertRefused(asB, 6, "only the instructor themselves or an administrator", args);
            assertRefused(asS, 6, "students cannot", args);
            assertNobody(args);
        }
        // Students cannot probe for people through these commands: refused before the name is looked up.
        assertRefused(asS, 6, "students cannot", "availability", "list", "t@school.test");
        assertRefused(asA, 4, "not found", "availability", "list", "t@school.test");

        String csv = "instructor,kind,day,start_time,end_time\na@school.test,weekly,SUN,09:00,10:00\n";
        String before = state(SCHOOL);
        assertError(asB.runWithInput(csv, "availability", "import", "-"), 6, "only the owner of these rows (e.g. the instructor themselves) or an administrator");
        assertError(asS.runWithInput(csv, "availability", "import", "-"), 6, "students cannot");
        assertError(asNobody.runWithInput(csv, "availability", "import", "-"), 4, "acting user");
        assertError(asB.runWithInput(csv, "availability", "import", "-", "--dry-run"), 6, "only the owner of these rows");
        assertEquals(before, state(SCHOOL), "refused imports write nothing");

        // Blocks are the owner's: another user's block id is "not found" (its existence is not theirs to know).
        long blockId = owner.withHandle(h -> h.createQuery("SELECT min(id) FROM time_blocks WHERE instructor_id = ?")
                .bind(0, school.a).mapTo(Long.class).one());
        String blockA = String.valueOf(blockId);
        assertRefused(asB, 4, "not found", "availability", "unblock", blockA);
        assertRefused(asS, 4, "not found", "availability", "unblock", blockA);
        assertNobody("availability", "unblock", blockA);

        // The instructor manages their own.
        asA.run(set).ok();
        String mine = asA.run(cat(new String[] {"-o", "json"}, block)).ok().json().get("id").asText();
        assertTrue(asA.run("-o", "json", "availability", "list", "a@school.test").ok().stdout().contains("private reason"));
        assertTrue(asA.run(export).ok().stdout().startsWith("instructor,kind,"));
        asA.run("availability", "unblock", mine).ok();
        asA.run(vacation).ok();
        asA.runWithInput(csv, "availability", "import", "-").ok();
    }

    @Test
    void calendarImportAndLinks() throws Exception {
        java.nio.file.Path ics = java.nio.file.Files.createTempFile("busy", ".ics");
        java.nio.file.Files.writeString(ics, """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                PRODID:-//test//EN\r
                BEGIN:VEVENT\r
                UID:busy-1@test\r
                DTSTAMP:20300101T000000Z\r
                DTSTART:20310301T090000Z\r
                DTEND:20310301T100000Z\r
                SUMMARY:Busy\r
                END:VEVENT\r
                END:VCALENDAR\r
                """);
        assertRefused(asB, 6, "only the instructor themselves", "import", "ics", ics.toString(), "--instructor", "a@school.test");
        assertRefused(asS, 6, "", "import", "ics", ics.toString(), "--instructor", "a@school.test");
        assertRefused(asA, 4, "not found", "import", "ics", ics.toString(), "--instructor", "t@school.test");
        assertNobody("import", "ics", ics.toString(), "--instructor", "a@school.test");

        String refA = admin.run("-o", "json", "export", "json", "--instructor", "a@school.test").ok().json().get(0).get("reference").asText();
        String refB = admin.run("-o", "json", "export", "json", "--instructor", "b@school.test").ok().json().get(0).get("reference").asText();
        assertRefused(asS, 4, "not found", "export", "links", refB);
        assertRefused(asA, 4, "not found", "export", "links", refB);
        assertNobody("export", "links", refA);
        asS.run("export", "links", refA).ok();
        asA.run("export", "links", refA).ok();
        assertNobody("export", "json");
        assertNobody("appointments", "list");
    }

    @Test
    void lifecycleRefusals() {
        String refA = admin.run("-o", "json", "export", "json", "--instructor", "a@school.test").ok().json().get(0).get("reference").asText();
        String refB = admin.run("-o", "json", "export", "json", "--instructor", "b@school.test").ok().json().get(0).get("reference").asText();
        String at = "2030-01-14T10:00Z";
        // Someone else's appointment is "not found"; one's own, for a step that is the instructor's, is refused.
        for (String[] step : List.of(new String[] {"confirm"}, new String[] {"decline"}, new String[] {"cancel"},
                new String[] {"complete"}, new String[] {"no-show"}, new String[] {"reschedule", "--to", "2030-01-14T11:00Z"})) {
            assertRefused(asS, 4, "no appointment with reference", cat(new String[] {step[0], refB}, java.util.Arrays.copyOfRange(step, 1, step.length)));
            assertRefused(asA, 4, "no appointment with reference", cat(new String[] {step[0], refB}, java.util.Arrays.copyOfRange(step, 1, step.length)));
            assertRefused(asB, 4, "no appointment with reference", cat(new String[] {step[0], refA}, java.util.Arrays.copyOfRange(step, 1, step.length)));
            assertNobody(cat(new String[] {step[0], refA}, java.util.Arrays.copyOfRange(step, 1, step.length)));
        }
        // The instructor's steps on the student's own appointment: refused with the reason once the step could apply
        // at all (after the start) ...
        CliDriver asSLater = db.cli().withClock(java.time.Clock.fixed(java.time.Instant.parse("2030-01-07T12:00:00Z"), java.time.ZoneOffset.UTC))
                .withEnv("SCHEDCTL_USER", "s@school.test");
        assertRefused(asSLater, 6, "only the instructor", "complete", refA);
        assertRefused(asSLater, 6, "only the instructor", "no-show", refA);
        // ... and before it, whatever the state: the role is decided before the state (a confirmed appointment).
        for (String step : List.of("confirm", "decline", "complete", "no-show")) {
            assertRefused(asS, 6, "only the instructor or an administrator can " + step, step, refA);
        }
        assertRefused(asS, 4, "no appointment with reference", "appointments", "show", refB);
        assertRefused(asB, 4, "no appointment with reference", "appointments", "show", refA);
        assertNobody("appointments", "show", refA);
        // Booking or holding for a student one may not see is "not found", whoever asks.
        for (String command : List.of("book", "hold")) {
            assertRefused(asS, 4, "not found", command, "--instructor", "a@school.test", "--type", "a-lesson", "--student", "t@school.test", "--at", at);
            assertRefused(asB, 4, "not found", command, "--instructor", "b@school.test", "--type", "b-lesson", "--student", "s@school.test", "--at", at);
            assertRefused(asA, 4, "not found", command, "--instructor", "a@school.test", "--type", "a-lesson", "--student", "t@school.test", "--at", at);
            assertNobody(command, "--instructor", "a@school.test", "--type", "a-lesson", "--student", "s@school.test", "--at", at);
        }
    }

    @Test
    void nobodyIsRefusedByEveryCommandThatTouchesTheDatabase() {
        List<String[]> commands = List.of(
                new String[] {"user", "list"}, new String[] {"user", "show", "s@school.test"},
                new String[] {"user", "add", "--name", "N", "--email", "n@school.test"},
                new String[] {"instructor", "list"}, new String[] {"instructor", "show", "a@school.test"},
                new String[] {"instructor", "settings", "a@school.test", "--max-daily", "1"},
                new String[] {"type", "list"}, new String[] {"type", "show", "a-lesson"}, new String[] {"type", "archive", "a-lesson"},
                new String[] {"type", "add", "--instructor", "a@school.test", "--name", "N", "--duration", "1h"},
                new String[] {"analytics", "aggregate"}, new String[] {"analytics", "report"}, new String[] {"analytics", "dashboard"},
                new String[] {"export", "ics"}, new String[] {"export", "csv"}, new String[] {"audit", "list"});
        for (String[] args : commands) {
            assertNobody(args);
        }
    }

    @Test
    void contactDetails() {
        // Instructors' contact details are theirs and the school's; students see the directory (name, email, zone).
        assertTrue(asS.run("-o", "json", "user", "show", "a@school.test").ok().json().get("phone").isNull(), "S must not see A's phone");
        assertTrue(asB.run("-o", "json", "user", "show", "a@school.test").ok().json().get("phone").isNull(), "B must not see A's phone");
        assertEquals("+49 30 9991", asA.run("-o", "json", "user", "show", "a@school.test").ok().json().get("phone").asText());
        assertEquals("+49 30 9991", admin.run("-o", "json", "user", "show", "a@school.test").ok().json().get("phone").asText());
        assertEquals("+49 30 1111", asS.run("-o", "json", "user", "show", "s@school.test").ok().json().get("phone").asText());
        assertEquals("+49 30 1111", asA.run("-o", "json", "user", "show", "s@school.test").ok().json().get("phone").asText(),
                "an instructor sees their own student's contact details");
        assertEquals(Set.of("+49 30 1111"), phones(asS.run("-o", "json", "user", "list").ok().json()));
        assertEquals(Set.of("+49 30 9991", "+49 30 1111"), phones(asA.run("-o", "json", "user", "list").ok().json()));
        assertEquals(Set.of("+49 30 9992", "+49 30 2222"), phones(asB.run("-o", "json", "user", "list").ok().json()));
        assertTrue(phones(admin.run("-o", "json", "user", "list").ok().json()).containsAll(List.of("+49 30 9991", "+49 30 9992", "+49 30 1111", "+49 30 2222")));
        assertTrue(asS.run("-o", "csv", "user", "list").ok().stdout().lines().noneMatch(l -> l.contains("9991") || l.contains("9992")));
        // Everything a student legitimately does with an instructor keeps working: their appointment shows the
        // instructor, the calendar export names them, the slots are there.
        JsonNode appts = asS.run("-o", "json", "appointments", "list").ok().json();
        assertEquals("a@school.test", appts.get(0).get("instructor").asText());
        assertTrue(asS.run("export", "ics", "--student", "s@school.test").ok().stdout().contains("BEGIN:VEVENT"));
        assertError(asS.run("user", "show", "t@school.test"), 4, "not found");
    }

    static Set<String> phones(JsonNode users) {
        Set<String> values = new TreeSet<>();
        users.forEach(u -> {
            if (!u.get("phone").isNull()) {
                values.add(u.get("phone").asText());
            }
        });
        return values;
    }

    @Test
    void csvCellsCannotBeFormulas() {
        admin.run("user", "add", "--name", "=HYPERLINK(\"http://evil.test\",\"x\")", "--email", "formula@school.test").ok();
        String csv = admin.run("-o", "csv", "user", "show", "formula@school.test").ok().stdout();
        assertTrue(csv.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\""), csv);
        assertEquals("=HYPERLINK(\"http://evil.test\",\"x\")",
                admin.run("-o", "json", "user", "show", "formula@school.test").ok().json().get("name").asText(), "JSON and the database keep the value");

        // availability export guards the reason; importing the export restores it exactly.
        List<String> given = List.of("=1+2", "+SUM(A1)", "-2+3", "@cmd", "'=already quoted", "plain", "-5");
        for (int i = 0; i < given.size(); i++) {
            admin.run("availability", "block", "b@school.test", "--from", "2032-01-0" + (i + 1) + "T09:00Z", "--to", "2032-01-0" + (i + 1) + "T10:00Z",
                    "--reason", given.get(i)).ok();
        }
        String exported = admin.run("availability", "export", "b@school.test").ok().stdout();
        for (String line : exported.lines().toList()) {
            for (String cell : line.split(",", -1)) {
                String bare = cell.startsWith("\"") ? cell.substring(1) : cell;
                assertFalse(bare.matches("^[=+@].*") || (bare.matches("^-.*") && !bare.matches("^-[0-9]+$")), "unguarded cell " + cell + " in " + line);
            }
        }
        assertTrue(exported.contains(",'=1+2") && exported.contains(",''=already quoted") && exported.contains(",-5"), exported);
        List<String> reasonsBefore = reasons();
        owner.useHandle(h -> h.execute("DELETE FROM time_block_occurrences WHERE instructor_id = ? AND lower(during) >= '2032-01-01'", school.b));
        owner.useHandle(h -> h.execute("DELETE FROM time_blocks WHERE instructor_id = ? AND starts_at >= '2032-01-01'", school.b));
        admin.runWithInput(exported, "availability", "import", "-").ok();
        assertEquals(reasonsBefore, reasons(), "export | import restores every reason exactly");
        assertEquals(exported, admin.run("availability", "export", "b@school.test").ok().stdout());
    }

    static List<String> reasons() {
        return owner.withHandle(h -> h.createQuery("SELECT reason FROM time_blocks WHERE instructor_id = ? AND starts_at >= '2032-01-01' ORDER BY reason")
                .bind(0, school.b).mapTo(String.class).list());
    }
}
