package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** Issue 13: `import ics` follows its source, one named calendar at a time, and warns instead of failing. */
class CalendarImportIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    private static CliDriver cli() {
        return db.cli().withClock(Clock.fixed(Instant.parse("2027-01-10T12:00:00Z"), ZoneOffset.UTC));
    }

    private Path file(String name, String... events) throws Exception {
        StringBuilder text = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
        for (String e : events) {
            text.append(e);
        }
        Path path = dir.resolve(name);
        Files.writeString(path, text.append("END:VCALENDAR\r\n").toString(), StandardCharsets.UTF_8);
        return path;
    }

    private static String event(String uid, int day) {
        return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART:202702" + String.format("%02d", day) + "T150000Z\r\nDTEND:202702"
                + String.format("%02d", day) + "T160000Z\r\nEND:VEVENT\r\n";
    }

    private long blocks(String calendar) {
        return db.database().inTransaction(h -> h.createQuery(
                "SELECT count(*) FROM calendar_import_blocks b JOIN time_blocks t ON t.id = b.block_id WHERE b.calendar = :c")
                .bind("c", calendar).mapTo(Long.class).one());
    }

    @Test
    void aReimportRemovesEventsGoneFromItsCalendarAndNoOther() throws Exception {
        cli().run("user", "add", "--name", "Ada", "--email", "ada@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        Path personal = file("personal.ics", event("p1", 1), event("p2", 2), event("p3", 3));
        Path work = file("work.ics", event("w1", 4));
        cli().run("import", "ics", personal.toString(), "--instructor", "ada@example.org", "--calendar", "personal").ok();
        cli().run("import", "ics", work.toString(), "--instructor", "ada@example.org", "--calendar", "work").ok();
        assertEquals(3, blocks("personal"));
        assertEquals(1, blocks("work"));

        // p2 was deleted in the source calendar: it stops blocking; the work calendar is not touched.
        Path again = file("personal.ics", event("p1", 1), event("p3", 3));
        JsonNode result = cli().run("-o", "json", "import", "ics", again.toString(), "--instructor", "ada@example.org",
                "--calendar", "personal").ok().json();
        assertEquals(1, result.get("removed").asInt(), result.toString());
        assertEquals(2, result.get("unchanged").asInt(), result.toString());
        assertEquals("personal", result.get("calendar").asText());
        assertEquals(2, blocks("personal"));
        assertEquals(1, blocks("work"));
    }

    @Test
    void anUnreadableOptionalPropertyIsAWarningLineAndTheRestImports() throws Exception {
        cli().run("user", "add", "--name", "Bea", "--email", "bea@example.org", "--role", "instructor").ok();
        Path google = file("google.ics", "BEGIN:VEVENT\r\nUID:g1\r\nCREATED:00001231T000000Z\r\nDTSTART:20270205T150000Z\r\n"
                + "DTEND:20270205T160000Z\r\nEND:VEVENT\r\n", event("g2", 6));
        Result r = cli().run("-o", "json", "import", "ics", google.toString(), "--instructor", "bea@example.org").ok();
        assertTrue(r.stderr().startsWith("google.ics:6: warning: skipped CREATED '00001231T000000Z'"), r.stderr());
        assertEquals(2, r.json().get("created").asInt(), r.toString());
        assertEquals(2, blocks("default"));
    }
}
