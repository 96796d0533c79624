package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** export ics|csv|json|links and import ics end to end, against a real PostgreSQL with the real migrations. */
class CalendarCommandsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2027-01-10T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static CliDriver cli() {
        return db.cli().withClock(CLOCK);
    }

    @BeforeAll
    static void people() {
        CliDriver cli = cli();
        cli.run("user", "add", "--name", "Ada Lovelace", "--email", "ada@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("user", "add", "--name", "Grace Hopper", "--email", "grace@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("user", "add", "--name", "Bob; Student, Jr.", "--email", "bob@example.org", "--tz", "Europe/Berlin").ok();
        cli.run("type", "add", "--instructor", "ada@example.org", "--name", "Piano lesson", "--slug", "piano-60", "--duration", "1h",
                "--price", "50", "--currency", "USD").ok();
        insert("AAAAAAA2", "confirmed", "2027-03-07T14:00:00Z", "Bring scales; arpeggios, too\r\nEND:VEVENT", 0);
        insert("AAAAAAA3", "cancelled", "2027-03-14T13:00:00Z", null, 1);
        insert("AAAAAAA4", "pending", "2027-03-21T13:00:00Z", null, 0);
    }

    static void insert(String reference, String status, String startsAt, String notes, int rescheduleCount) {
        db.database().useTransaction(h -> h.createUpdate("""
                        INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                                  price, currency, fee, notes, reschedule_count)
                        SELECT :ref, i.id, s.id, t.id, :status, :start::timestamptz, :start::timestamptz + interval '1 hour',
                               'America/New_York', 50, 'USD', CASE WHEN :status = 'cancelled' THEN 25 END, :notes, :seq
                        FROM users i, users s, appointment_types t
                        WHERE i.email = 'ada@example.org' AND s.email = 'bob@example.org' AND t.slug = 'piano-60'
                        """)
                .bind("ref", reference).bind("status", status).bind("start", startsAt).bind("notes", notes).bind("seq", rescheduleCount)
                .execute());
    }

    private long count(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    // ---- export ------------------------------------------------------------------------------------------

    @Test
    void exportIcsIsValidParsesBackAndIsByteStable() throws Exception {
        Result first = cli().run("export", "ics", "--instructor", "ada@example.org").ok();
        Result second = cli().run("export", "ics", "--instructor", "ada@example.org").ok();
        assertEquals(first.stdout(), second.stdout(), "fixed DTSTAMP from the clock: identical output");
        String ics = first.stdout();
        assertTrue(ics.startsWith("BEGIN:VCALENDAR\r\n"), ics);
        assertTrue(ics.contains("DTSTAMP:20270110T120000Z\r\n"), ics);
        assertTrue(ics.contains("METHOD:PUBLISH\r\n"));
        assertTrue(ics.contains("UID:AAAAAAA2@schedctl\r\n"));
        assertTrue(ics.contains("DTSTART;TZID=America/New_York:20270307T090000\r\n"), ics);
        assertTrue(ics.contains("DTSTART;TZID=America/New_York:20270314T090000\r\n"), ics);
        assertTrue(ics.contains("STATUS:CANCELLED\r\n") && ics.contains("STATUS:TENTATIVE\r\n") && ics.contains("STATUS:CONFIRMED\r\n"));
        assertTrue(ics.contains("SEQUENCE:1\r\n"));
        Calendar parsed = new CalendarBuilder().build(new StringReader(ics));
        assertEquals(3, parsed.getComponents("VEVENT").size(), "the note's END:VEVENT must not split the event");
        assertEquals(1, parsed.getComponents("VTIMEZONE").size());
    }

    @Test
    void exportNarrowsByRefAndDatesAndWritesFiles() throws Exception {
        Result one = cli().run("export", "ics", "--ref", "aaaaaaa3").ok();
        assertEquals(1, one.stdout().split("BEGIN:VEVENT", -1).length - 1, one.stdout());
        Result march14 = cli().run("export", "json", "--instructor", "ada@example.org", "--from", "2027-03-14", "--to", "2027-03-14").ok();
        assertEquals(1, march14.json().size(), march14.toString());
        Path file = dir.resolve("out.ics");
        Result written = cli().run("export", "ics", "--student", "bob@example.org", "-f", file.toString()).ok();
        assertEquals("", written.stdout());
        String content = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals(3, content.split("BEGIN:VEVENT", -1).length - 1);
        FoundationCommandsIT.assertError(cli().run("export", "ics", "--ref", "ZZZZZZZ9"), 4, "not found");
        FoundationCommandsIT.assertError(cli().run("export", "ics", "--instructor", "ada@example.org", "--student", "bob@example.org"), 2, "exclude each other");
        FoundationCommandsIT.assertError(cli().run("export", "json", "--from", "2027-03-14", "--to", "2027-03-01"), 2, "before --from");
    }

    @Test
    void exportJsonAndCsvUseTheAppointmentShape() {
        JsonNode rows = cli().run("export", "json", "--instructor", "ada@example.org").ok().json();
        assertEquals(3, rows.size());
        JsonNode a = rows.get(0);
        for (String key : List.of("reference", "status", "instructor", "student", "type", "start", "end", "timezone", "price",
                "currency", "fee", "created_at")) {
            assertTrue(a.has(key), "missing " + key + " in " + a);
        }
        assertEquals("AAAAAAA2", a.get("reference").asText());
        assertEquals("ada@example.org", a.get("instructor").asText());
        assertEquals("piano-60", a.get("type").asText());
        assertEquals("2027-03-07T09:00:00-05:00", a.get("start").asText(), "shown in the instructor's zone");
        assertEquals(0, a.get("price").decimalValue().compareTo(new java.math.BigDecimal("50.00")));
        assertTrue(a.get("fee").isNull(), "fee only when cancelled");
        assertEquals(0, rows.get(1).get("fee").decimalValue().compareTo(new java.math.BigDecimal("25.00")));

        Result csv = cli().run("export", "csv", "--instructor", "ada@example.org").ok();
        List<String> lines = csv.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("reference,status,instructor,student,type,start,end,timezone,price,currency,fee,created_at"), lines.get(0));
        assertTrue(csv.stdout().contains("\"Bob; Student, Jr.\""), "names with commas are quoted: " + csv.stdout());
        Result empty = cli().run("export", "csv", "--instructor", "grace@example.org", "--from", "2020-01-01", "--to", "2020-01-02").ok();
        assertEquals(lines.get(0), empty.stdout().strip(), "an empty export still has its header");
    }

    @Test
    void linksAreUrlEncoded() throws Exception {
        JsonNode links = cli().run("-o", "json", "export", "links", "AAAAAAA2").ok().json();
        String google = links.get("google").asText();
        assertTrue(google.startsWith("https://calendar.google.com/calendar/render?action=TEMPLATE&text=Piano%20lesson%20with%20Ada%20Lovelace&"), google);
        assertTrue(google.contains("&dates=20270307T140000Z/20270307T150000Z&"), google);
        assertTrue(google.contains("&ctz=America%2FNew_York"), google);
        assertTrue(google.contains("scales%3B%20arpeggios%2C%20too%0D%0AEND%3AVEVENT"), google);
        assertFalse(google.contains(" ") || google.contains("\n"), google);
        String outlook = links.get("outlook").asText();
        assertTrue(outlook.startsWith("https://outlook.live.com/calendar/0/deeplink/compose?"), outlook);
        assertTrue(outlook.contains("startdt=2027-03-07T14%3A00%3A00Z"), outlook);
        new java.net.URI(google);
        new java.net.URI(outlook);
        FoundationCommandsIT.assertError(cli().run("export", "links", "not-a-ref"), 2, "bad booking reference");
    }

    // ---- import ------------------------------------------------------------------------------------------

    private static String calendar(String... lines) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + String.join("\r\n", lines) + "\r\nEND:VCALENDAR\r\n";
    }

    private Path file(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private List<String> graceBlocks() {
        return db.database().inTransaction(h -> h.createQuery("""
                SELECT lower(o.during)::text || ' ' || upper(o.during)::text FROM time_block_occurrences o
                JOIN time_blocks b ON b.id = o.block_id JOIN users u ON u.id = b.instructor_id
                WHERE u.email = 'grace@example.org' AND b.kind = 'unavailable' AND b.source = 'ics'
                ORDER BY lower(o.during)""").mapTo(String.class).list());
    }

    @Test
    void importCreatesBlocksIsIdempotentAndFollowsChanges() throws Exception {
        String weekly = String.join("\r\n", "BEGIN:VEVENT", "UID:weekly@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=America/New_York:20270307T090000", "DTEND;TZID=America/New_York:20270307T100000",
                "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT");
        String allDay = String.join("\r\n", "BEGIN:VEVENT", "UID:day@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART;VALUE=DATE:20271107", "END:VEVENT");
        String floating = String.join("\r\n", "BEGIN:VEVENT", "UID:float@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270701T090000", "DTEND:20270701T103000", "END:VEVENT");
        String transparent = String.join("\r\n", "BEGIN:VEVENT", "UID:free@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270702T090000Z", "DTEND:20270702T100000Z", "TRANSP:TRANSPARENT", "END:VEVENT");
        Path ics = file("grace.ics", calendar(weekly, allDay, floating, transparent));

        JsonNode first = cli().run("-o", "json", "import", "ics", ics.toString(), "--instructor", "grace@example.org").ok().json();
        assertEquals(4, first.get("rows").asInt());
        assertEquals(3, first.get("created").asInt());
        assertEquals(5, first.get("blocks").asInt());
        assertEquals(List.of(
                "2027-03-07 14:00:00+00 2027-03-07 15:00:00+00",
                "2027-03-14 13:00:00+00 2027-03-14 14:00:00+00",
                "2027-03-21 13:00:00+00 2027-03-21 14:00:00+00",
                "2027-07-01 13:00:00+00 2027-07-01 14:30:00+00",
                "2027-11-07 04:00:00+00 2027-11-08 05:00:00+00"), graceBlocks());

        long audit = count("SELECT count(*) FROM audit_log");
        JsonNode again = cli().run("-o", "json", "import", "ics", ics.toString(), "--instructor", "grace@example.org").ok().json();
        assertEquals(0, again.get("created").asInt());
        assertEquals(3, again.get("unchanged").asInt());
        assertEquals(audit, count("SELECT count(*) FROM audit_log"), "a re-import writes nothing");

        // The series moves an hour later, the all-day event is cancelled: replaced and removed.
        String moved = weekly.replace("T090000", "T100000").replace("T100000\r\nRRULE", "T110000\r\nRRULE");
        Path changed = file("grace2.ics", calendar(moved, allDay.replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT"), floating));
        JsonNode third = cli().run("-o", "json", "import", "ics", changed.toString(), "--instructor", "grace@example.org").ok().json();
        assertEquals(1, third.get("updated").asInt(), third.toString());
        assertEquals(1, third.get("removed").asInt(), third.toString());
        assertEquals(1, third.get("unchanged").asInt(), third.toString());
        assertEquals(List.of(
                "2027-03-07 15:00:00+00 2027-03-07 16:00:00+00",
                "2027-03-14 14:00:00+00 2027-03-14 15:00:00+00",
                "2027-03-21 14:00:00+00 2027-03-21 15:00:00+00",
                "2027-07-01 13:00:00+00 2027-07-01 14:30:00+00"), graceBlocks());
    }

    @Test
    void malformedFilesExitTwoAndWriteNothing() throws Exception {
        long blocks = count("SELECT count(*) FROM time_blocks");
        long events = count("SELECT count(*) FROM calendar_import_events");
        String good = String.join("\r\n", "BEGIN:VEVENT", "UID:ok@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270801T090000Z", "DTEND:20270801T100000Z", "END:VEVENT");
        String badRule = String.join("\r\n", "BEGIN:VEVENT", "UID:bad@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270801T110000Z", "DTEND:20270801T120000Z", "RRULE:FREQ=HOURLY", "END:VEVENT");
        Path mixed = file("mixed.ics", calendar(good, badRule));
        Result r = cli().run("import", "ics", mixed.toString(), "--instructor", "ada@example.org").expect(2);
        assertTrue(r.stderr().startsWith("schedctl: error: mixed.ics: event 'bad@ext' repeats more than"), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        Path garbage = file("garbage.ics", "BEGIN:VCALENDAR\r\nthis is : not ; ical\r\nBEGIN:VEVENT\r\n");
        r = cli().run("import", "ics", garbage.toString(), "--instructor", "ada@example.org").expect(2);
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        assertEquals("", r.stdout());
        FoundationCommandsIT.assertError(cli().run("import", "ics", dir.resolve("missing.ics").toString(), "--instructor", "ada@example.org"), 2, "not found");
        FoundationCommandsIT.assertError(cli().run("import", "ics", mixed.toString(), "--instructor", "bob@example.org"), 2, "not an instructor");
        assertEquals(blocks, count("SELECT count(*) FROM time_blocks"));
        assertEquals(events, count("SELECT count(*) FROM calendar_import_events"));
    }

    @Test
    void importReadsStdin() {
        String ics = calendar("BEGIN:VEVENT", "UID:stdin@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270901T090000Z", "DTEND:20270901T100000Z", "END:VEVENT");
        JsonNode result = cli().runWithInput(ics, "-o", "json", "import", "ics", "-", "--instructor", "ada@example.org").ok().json();
        assertEquals(1, result.get("created").asInt());
    }

    @Test
    void customVtimezoneIsUsedAndUnknownZonesAreRefused() throws Exception {
        String custom = String.join("\r\n", "BEGIN:VTIMEZONE", "TZID:Custom Plus Two", "BEGIN:STANDARD",
                "DTSTART:19700101T000000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0200", "END:STANDARD", "END:VTIMEZONE",
                "BEGIN:VEVENT", "UID:custom@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=Custom Plus Two:20270801T100000", "DTEND;TZID=Custom Plus Two:20270801T110000", "END:VEVENT");
        cli().run("import", "ics", file("custom.ics", calendar(custom)).toString(), "--instructor", "ada@example.org").ok();
        assertEquals(1, count("""
                SELECT count(*) FROM time_block_occurrences o JOIN calendar_import_blocks b USING (block_id)
                WHERE b.uid = 'custom@ext' AND o.during = tstzrange('2027-08-01T08:00Z', '2027-08-01T09:00Z')"""));

        long blocks = count("SELECT count(*) FROM time_blocks");
        String unknown = String.join("\r\n", "BEGIN:VEVENT", "UID:unknown@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=Mars/Olympus:20270801T100000", "DTEND;TZID=Mars/Olympus:20270801T110000", "END:VEVENT");
        Result r = cli().run("import", "ics", file("unknown.ics", calendar(unknown)).toString(), "--instructor", "ada@example.org").expect(2);
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        assertEquals(blocks, count("SELECT count(*) FROM time_blocks"));
    }

    @Test
    void oversizedFilesAreRefusedBeforeParsing() throws Exception {
        Path huge = dir.resolve("huge.ics");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(20L * 1024 * 1024 + 1); // sparse: cheap to create, one byte over the cap
        }
        FoundationCommandsIT.assertError(cli().run("import", "ics", huge.toString(), "--instructor", "ada@example.org"), 2, "larger than 20 MB");
    }

    @Test
    void rowSecurityScopesImportsAndExports() throws Exception {
        String event = String.join("\r\n", "BEGIN:VEVENT", "UID:own@ext", "DTSTAMP:20270101T000000Z",
                "DTSTART:20271001T090000Z", "DTEND:20271001T100000Z", "END:VEVENT");
        Path ics = file("own.ics", calendar(event));
        JsonNode own = cli().run("--as", "grace@example.org", "-o", "json", "import", "ics", ics.toString(),
                "--instructor", "grace@example.org").ok().json();
        assertEquals(1, own.get("created").asInt(), own.toString());
        Result foreign = cli().run("--as", "grace@example.org", "import", "ics", ics.toString(), "--instructor", "ada@example.org");
        FoundationCommandsIT.assertError(foreign, 6, "only the instructor themselves or an administrator");
        assertEquals(0, count("SELECT count(*) FROM calendar_import_events e JOIN users u ON u.id = e.instructor_id "
                + "WHERE u.email = 'ada@example.org' AND e.uid = 'own@ext'"));

        JsonNode graceSees = cli().run("--as", "grace@example.org", "export", "json").ok().json();
        assertEquals(0, graceSees.size(), "Ada's appointments are not Grace's to export: " + graceSees);
        JsonNode bobSees = cli().run("--as", "bob@example.org", "export", "json").ok().json();
        assertEquals(3, bobSees.size(), bobSees.toString());
    }
}
