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
 * the user may not know exist are "not found" (exit 4). (Nobody acting is covered in RowSecurityIT: the CLI
 * always acts as someone.)
 */
class PermissionMatrixIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static SchoolFixture school;
    static CliDriver admin;
    static CliDriver asA;
    static CliDriver asB;
    static CliDriver asS;

    @BeforeAll
    static void setUp() {
        school = new SchoolFixture(db);
        admin = db.cli();
        asA = db.cli().withEnv("SCHEDCTL_USER", "a@school.test"); // the environment variable ...
        asB = db.cli().withEnv("SCHEDCTL_USER", "b@school.test");
        asS = db.cli().withEnv("SCHEDCTL_USER", "s@school.test");
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
}
