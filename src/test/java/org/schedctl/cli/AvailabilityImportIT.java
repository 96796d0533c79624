package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** `availability import` and `export`: atomic, idempotent, --replace, --dry-run, stdin, and every bad row reported. */
class AvailabilityImportIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final String HEADER = "instructor,kind,day,start_time,end_time,timezone,effective_from,effective_until,type,start_at,end_at,rrule,reason\n";

    private static CliDriver cli() {
        return db.cli().withClock(Clock.fixed(Instant.parse("2027-03-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @BeforeAll
    static void people() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Ann", "--email", "ann@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("user", "add", "--name", "Ben", "--email", "ben@example.org", "--role", "instructor", "--tz", "Asia/Kolkata").ok();
        cli.run("user", "add", "--name", "Stu", "--email", "stu@example.org").ok();
        cli.run("type", "add", "--instructor", "ann@example.org", "--name", "Piano", "--slug", "piano", "--duration", "1h").ok();
        cli.run("type", "add", "--instructor", "ben@example.org", "--name", "Sitar", "--slug", "sitar", "--duration", "1h").ok();
    }

    private static Path file(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content, StandardCharsets.UTF_8);
        return path;
    }

    private static long count(String table) {
        return db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    private static long auditedImports() {
        return db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM audit_log
                WHERE entity = 'instructor_availability' AND action = 'insert' AND command = 'availability import'
                  AND actor_id IS NOT NULL AND (after ->> 'count')::int = 3
                  AND jsonb_array_length(after -> 'columns' -> 'day_of_week') = 3""").mapTo(Long.class).one());
    }

    private static List<Long> counts() {
        return List.of(count("instructor_availability"), count("time_blocks"), count("time_block_occurrences"), count("audit_log"));
    }

    private static final String GOOD = HEADER
            + "ann@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
            + "ann@example.org,weekly,TUE,09:00,12:00,,2027-01-01,2027-12-31,piano,,,,\n"
            + "ben@example.org,weekly,WED,10:00,11:00,Asia/Kolkata,,,,,,,\n"
            + "ann@example.org,unavailable,,,,,,,,2027-03-15T10:00,2027-03-15T11:00,FREQ=WEEKLY;COUNT=4,dentist\n"
            + "ben@example.org,available,,,,,,,,2027-03-20T10:00+05:30,2027-03-20T12:00+05:30,,\"extra, Saturday\"\n";

    @Test
    void importIsIdempotentAndExportRoundTrips() throws IOException {
        Path good = file("good.csv", GOOD);
        long occurrencesBefore = count("time_block_occurrences");
        long auditedBefore = auditedImports();
        JsonNode first = cli().run("-o", "json", "availability", "import", good.toString()).ok().json();
        assertEquals(5, first.get("rows").asInt());
        assertEquals(5, first.get("created").asInt());
        assertEquals(0, first.get("unchanged").asInt());
        assertEquals(0, first.get("removed").asInt());
        assertEquals(0, first.get("errors").size());
        List<Long> after = counts();
        assertEquals(auditedBefore + 1, auditedImports(), "one audit entry for the statement that inserted the three weekly rules");
        assertEquals(List.of(3L, 0L, 1L), db.database().inTransaction(h -> h.createQuery("""
                        WITH e AS (SELECT after FROM audit_log WHERE entity = 'instructor_availability' AND action = 'insert'
                                   AND command = 'availability import' ORDER BY id DESC LIMIT 1)
                        SELECT count(*),
                               count(*) FILTER (WHERE a.id IS NULL OR e.after -> 'columns' -> 'id' -> (i.k - 1)::int <> i.id
                                   OR (e.after -> 'columns' -> 'day_of_week' ->> (i.k - 1)::int)::int <> a.day_of_week
                                   OR (e.after -> 'columns' -> 'start_time' ->> (i.k - 1)::int)::time <> a.start_time
                                   OR (e.after -> 'columns' -> 'instructor_id' ->> (i.k - 1)::int)::bigint <> a.instructor_id),
                               count(*) FILTER (WHERE i.k = 1 AND i.id::bigint = (SELECT min(x::bigint)
                                                FROM jsonb_array_elements_text(e.after -> 'ids') x))
                        FROM e CROSS JOIN LATERAL jsonb_array_elements(e.after -> 'ids') WITH ORDINALITY AS i(id, k)
                        LEFT JOIN instructor_availability a ON a.id = i.id::bigint
                        GROUP BY e.after""").map((rs, ctx) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).one()),
                "the bulk entry lists the 3 rows, ids in ascending order, each column's values aligned with the ids");
        assertEquals(5, count("time_block_occurrences") - occurrencesBefore, "4 weekly dentist occurrences and 1 extra Saturday");

        JsonNode again = cli().run("-o", "json", "availability", "import", good.toString()).ok().json();
        assertEquals(0, again.get("created").asInt());
        assertEquals(5, again.get("unchanged").asInt());
        assertEquals(0, again.get("removed").asInt());
        assertEquals(after, counts(), "a second import changes nothing, not even the audit log");

        // The export of an instructor is a valid import file that changes nothing.
        Result exported = cli().run("availability", "export", "ann@example.org").ok();
        assertTrue(exported.stdout().startsWith("instructor,kind,day,start_time,end_time,timezone"), exported.toString());
        Path roundTrip = file("export.csv", exported.stdout());
        JsonNode reimport = cli().run("-o", "json", "availability", "import", roundTrip.toString()).ok().json();
        assertEquals(3, reimport.get("rows").asInt());
        assertEquals(0, reimport.get("created").asInt());
        assertEquals(3, reimport.get("unchanged").asInt());
        assertEquals(after, counts());
        Path exportFile = dir.resolve("ann-export.csv");
        cli().run("availability", "export", "ann@example.org", "-f", exportFile.toString()).ok();
        assertEquals(exported.stdout(), Files.readString(exportFile));
    }

    @Test
    void replaceReplacesTheWeeklyPatternsOfTheNamedInstructorsOnly() throws IOException {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Cat", "--email", "cat@example.org", "--role", "instructor", "--tz", "Europe/Rome").ok();
        cli.run("user", "add", "--name", "Dan", "--email", "dan@example.org", "--role", "instructor", "--tz", "Europe/Rome").ok();
        cli().run("availability", "import", file("cat.csv", HEADER
                + "cat@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
                + "cat@example.org,weekly,TUE,09:00,12:00,,,,,,,,\n"
                + "dan@example.org,weekly,TUE,09:00,12:00,,,,,,,,\n").toString()).ok();
        JsonNode replaced = cli().run("-o", "json", "availability", "import", "--replace", file("cat2.csv", HEADER
                + "cat@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
                + "cat@example.org,weekly,FRI,14:00,15:00,,,,,,,,\n").toString()).ok().json();
        assertEquals(1, replaced.get("created").asInt());
        assertEquals(1, replaced.get("unchanged").asInt());
        assertEquals(1, replaced.get("removed").asInt());
        JsonNode cat = cli.run("-o", "json", "availability", "list", "cat@example.org").ok().json();
        assertEquals(2, cat.size(), cat.toString());
        assertEquals("MON", cat.get(0).get("day").asText());
        assertEquals("FRI", cat.get(1).get("day").asText());
        assertEquals(1, cli.run("-o", "json", "availability", "list", "dan@example.org").ok().json().size(), "Dan untouched");
    }

    @Test
    void dryRunReportsWithoutWritingAndStdinWorks() {
        List<Long> before = counts();
        String csv = HEADER + "ben@example.org,weekly,FRI,10:00,11:00,,,,,,,,\n"
                + "ben@example.org,weekly,FRI,10:30,12:00,,,,,,,,\n";
        JsonNode dry = cli().runWithInput(csv, "-o", "json", "availability", "import", "-", "--dry-run").ok().json();
        assertEquals(2, dry.get("rows").asInt());
        assertEquals(1, dry.get("created").asInt(), "two overlapping rows merge into one rule");
        assertEquals(before, counts(), "dry run writes nothing");
        JsonNode real = cli().runWithInput(csv, "-o", "json", "availability", "import", "-").ok().json();
        assertEquals(1, real.get("created").asInt());
        JsonNode list = db.cli().run("-o", "json", "availability", "list", "ben@example.org").ok().json();
        assertTrue(list.toString().contains("\"start_time\":\"10:00\",\"end_time\":\"12:00\""), list.toString());
    }

    private static void assertRejected(String name, byte[] content, String... lineFragments) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, content);
        List<Long> before = counts();
        Result result = cli().run("availability", "import", path.toString());
        assertEquals(2, result.exitCode(), result.toString());
        assertEquals("", result.stdout(), result.toString());
        List<String> lines = result.stderr().strip().lines().toList();
        assertEquals(lineFragments.length + 1, lines.size(), "one line per bad row plus the summary: " + result);
        for (int i = 0; i < lineFragments.length; i++) {
            assertTrue(lines.get(i).startsWith(path + ":"), result.toString());
            assertTrue(lines.get(i).contains(lineFragments[i]), "expected '" + lineFragments[i] + "' in " + lines.get(i));
        }
        assertTrue(lines.get(lines.size() - 1).startsWith("schedctl: error: "), result.toString());
        assertTrue(!result.stderr().contains("Exception") && !result.stderr().contains("\tat "), "no stack trace: " + result);
        assertEquals(before, counts(), "database unchanged by " + name);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyBadRowIsReportedAsFileLineAndNothingIsWritten() throws IOException {
        assertRejected("unknown-instructor.csv", utf8(HEADER
                        + "ann@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
                        + "nobody@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
                        + "stu@example.org,weekly,MON,09:00,12:00,,,,,,,,\n"
                        + "ann@example.org,weekly,MON,09:00,12:00,,,,sitar,,,,\n"),
                ":3: unknown instructor 'nobody@example.org'", ":4: user stu@example.org is a student", ":5: appointment type 'sitar' is not offered");
        assertRejected("bad-values.csv", utf8(HEADER
                        + "ann@example.org,weekly,MON,25:00,23:00,,,,,,,,\n"
                        + "ann@example.org,weekly,MON,12:00,11:00,,,,,,,,\n"
                        + "ann@example.org,weekly,MON,09:00,10:00,Mars/Olympus,,,,,,,\n"
                        + "ann@example.org,unavailable,,,,,,,,2027-03-15T10:00,2027-03-15T11:00,FREQ=SOMETIMES,\n"),
                ":2:", ":3:", ":4:", ":5:");
        assertRejected("gap-time.csv", utf8(HEADER
                        + "ann@example.org,unavailable,,,,,,,,2027-03-14T02:30,2027-03-14T04:00,,\n"),
                "does not exist");
        assertRejected("unknown-column.csv", utf8("instructor,kind,day,start_time,end_time,colour\n"
                + "ann@example.org,weekly,MON,09:00,12:00,red\n"), ":1: unknown column 'colour'");
        assertRejected("no-header.csv", utf8("ann@example.org,weekly,MON,09:00,12:00\n"), ":1: no header row");
        assertRejected("latin1.csv", (HEADER + "ann@example.org,unavailable,,,,,,,,2027-03-15T10:00,2027-03-15T11:00,,caf\u00e9\n")
                .getBytes(StandardCharsets.ISO_8859_1), "not valid UTF-8");
        Path empty = dir.resolve("empty.csv");
        Files.write(empty, new byte[0]);
        Result result = cli().run("availability", "import", empty.toString());
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.stderr().startsWith(empty + ": the file is empty"), result.toString());
    }

    @Test
    void aBomAndCrlfAreAccepted() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = (HEADER + "ben@example.org,weekly,SUN,08:00,09:00,,,,,,,,\r\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        Path path = dir.resolve("bom.csv");
        Files.write(path, all);
        JsonNode result = cli().run("-o", "json", "availability", "import", path.toString()).ok().json();
        assertEquals(1, result.get("rows").asInt());
    }
}
