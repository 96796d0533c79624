package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** user, instructor and type commands end to end, through the CLI, against a real PostgreSQL. */
class FoundationCommandsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private long count(String table) {
        return db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    @Test
    void addListShowUsers() {
        CliDriver cli = db.cli();
        JsonNode ada = cli.run("-o", "json", "user", "add", "--name", "Ada Lovelace", "--email", "ada@example.org",
                "--role", "instructor", "--tz", "Europe/London").ok().json();
        assertEquals("ada@example.org", ada.get("email").asText());
        assertEquals("instructor", ada.get("role").asText());
        assertEquals("Europe/London", ada.get("timezone").asText());
        assertFalse(ada.has("instructor"), "no stray keys: " + ada);

        JsonNode list = cli.run("user", "list", "-o", "json").ok().json();
        assertTrue(list.isArray());
        assertTrue(list.toString().contains("ada@example.org"), list.toString());

        JsonNode shown = cli.run("user", "show", "ADA@example.org", "-o", "json").ok().json();
        assertEquals(ada.get("id").asLong(), shown.get("id").asLong());
        JsonNode byId = cli.run("user", "show", ada.get("id").asText(), "-o", "json").ok().json();
        assertEquals("Ada Lovelace", byId.get("name").asText());

        Result csv = cli.run("user", "list", "-o", "csv").ok();
        assertTrue(csv.stdout().startsWith("id,email,name,role,timezone"), csv.toString());
        Result table = cli.run("user", "list").ok();
        assertTrue(table.stdout().startsWith("ID"), table.toString());
    }

    @Test
    void badInputIsOneLineWithItsExitCodeAndWritesNothing() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Bo", "--email", "bo@example.org").ok();
        long users = count("users");
        long audits = count("audit_log");

        assertError(cli.run("user", "add", "--name", "X", "--email", "not-an-email"), 2, "malformed email");
        assertError(cli.run("user", "add", "--name", "X", "--email", "x@example.org", "--tz", "Mars/Base"), 2, "unknown time zone");
        assertError(cli.run("user", "add", "--name", "X", "--email", "BO@example.org"), 3, "already exists");
        assertError(cli.run("user", "add", "--name", "X", "--email", "x@example.org", "--role", "wizard"), 2, "unknown role");
        assertError(cli.run("user", "add", "--name", "X", "--email", "x@example.org", "--frobnicate"), 2, "Unknown option");
        assertError(cli.run("user", "show", "nobody@example.org"), 4, "not found");
        assertError(cli.run("--as", "ghost@example.org", "user", "list"), 4, "acting user");
        assertError(cli.run("type", "add", "--instructor", "bo@example.org", "--name", "T", "--duration", "30m"), 2, "not an instructor");
        assertError(cli.run("type", "add", "--instructor", "nobody@example.org", "--name", "T", "--duration", "30m"), 4, "not found");
        assertError(cli.run("type", "add", "--instructor", "bo@example.org", "--name", "T", "--duration", "-30m"), 2, "negative duration");
        assertError(cli.run("user", "add", "--name", "Line\nBreak", "--email", "lb@example.org"), 2, "control characters");

        assertEquals(users, count("users"), "nothing written");
        assertEquals(audits, count("audit_log"), "nothing audited");
    }

    @Test
    void instructorSettingsAndTypes() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Cy", "--email", "cy@example.org", "--role", "instructor").ok();
        JsonNode settings = cli.run("-o", "json", "instructor", "settings", "cy@example.org", "--buffer", "10m",
                "--max-daily", "5", "--reminders", "1h,24h", "--channels", "email,sms", "--tz", "America/New_York",
                "--auto-confirm", "false").ok().json();
        assertEquals("10m", settings.get("buffer_before").asText());
        assertEquals("10m", settings.get("buffer_after").asText());
        assertEquals(5, settings.get("max_daily").asInt());
        assertEquals("[\"1d\",\"1h\"]", settings.get("reminders").toString());
        assertEquals("America/New_York", settings.get("timezone").asText());
        assertFalse(settings.get("auto_confirm").asBoolean());
        assertError(cli.run("instructor", "settings", "cy@example.org", "--channels", "pigeon"), 2, "unknown channel");
        assertError(cli.run("instructor", "settings", "cy@example.org", "--max-daily", "-1"), 2, "max-daily");

        JsonNode list = cli.run("-o", "json", "instructor", "list").ok().json();
        assertTrue(list.toString().contains("cy@example.org"));

        JsonNode type = cli.run("-o", "json", "type", "add", "--instructor", "cy@example.org", "--name", "Piano Lesson",
                "--duration", "45m", "--price", "40", "--currency", "eur", "--capacity", "3").ok().json();
        assertEquals("piano-lesson", type.get("slug").asText());
        assertEquals("45m", type.get("duration").asText());
        assertEquals("40.00", type.get("price").asText());
        assertEquals("EUR", type.get("currency").asText());
        assertError(cli.run("type", "add", "--instructor", "cy@example.org", "--name", "Piano Lesson", "--duration", "45m"), 3, "already exists");
        assertError(cli.run("type", "add", "--instructor", "cy@example.org", "--name", "Yen", "--duration", "45m",
                "--price", "10.5", "--currency", "JPY"), 2, "decimals");
        assertError(cli.run("type", "add", "--instructor", "cy@example.org", "--name", "Odd", "--duration", "45m",
                "--price", "10", "--currency", "XYZ"), 2, "unknown currency");

        assertEquals("piano-lesson", cli.run("-o", "json", "type", "show", "piano-lesson").ok().json().get("slug").asText());
        cli.run("type", "archive", "piano-lesson").ok();
        assertError(cli.run("type", "archive", "piano-lesson"), 3, "already archived");
        assertEquals(0, cli.run("-o", "json", "type", "list").ok().json().size());
        assertEquals(1, cli.run("-o", "json", "type", "list", "--all").ok().json().size());
    }

    @Test
    void everyMutationIsAuditedWithItsActorAndCommand() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Admin Two", "--email", "admin2@example.org", "--role", "admin").ok();
        cli.run("--as", "admin2@example.org", "user", "add", "--name", "Dee", "--email", "dee@example.org").ok();
        var row = db.database().inTransaction(h -> h.createQuery("""
                SELECT u.email AS actor, a.command, a.action, a.after ->> 'email' AS email
                FROM audit_log a JOIN users u ON u.id = a.actor_id
                WHERE a.entity = 'users' AND a.after ->> 'email' = 'dee@example.org'
                """).mapToMap().one());
        assertEquals("admin2@example.org", row.get("actor"));
        assertEquals("user add", row.get("command"));
        assertEquals("insert", row.get("action"));
    }

    @Test
    void versionAndHelpNeedNoDatabase() {
        CliDriver offline = new CliDriver(java.util.Map.of("SCHEDCTL_DB_URL", "jdbc:postgresql://127.0.0.1:1/none", "SCHEDCTL_CONFIG", "/dev/null"));
        Result version = offline.run("--version").ok();
        assertTrue(version.stdout().startsWith("schedctl "), version.toString());
        offline.run("user", "add", "--help").ok();
        assertError(offline.run("user", "list"), 5, "cannot reach the database");
    }

    static void assertError(Result result, int code, String fragment) {
        assertEquals(code, result.exitCode(), result.toString());
        assertTrue(result.stderr().startsWith("schedctl: error: "), result.toString());
        assertTrue(result.stderr().contains(fragment), "expected '" + fragment + "' in " + result);
        assertEquals(1, result.stderr().strip().lines().count(), "one line: " + result);
        assertEquals("", result.stdout(), "nothing on stdout: " + result);
    }
}
