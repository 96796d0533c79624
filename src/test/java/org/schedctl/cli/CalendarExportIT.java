package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.IcalJs;
import org.schedctl.test.TestDatabase;

/** Issue 13, export: instants that survive every reader (ical.js judges), short VTIMEZONEs, no cap, feeds. */
class CalendarExportIT {
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
        for (String who : new String[] {"dst", "many", "feed"}) {
            cli.run("user", "add", "--name", "Teacher " + who, "--email", who + "@example.org", "--role", "instructor",
                    "--tz", "America/New_York").ok();
            cli.run("type", "add", "--instructor", who + "@example.org", "--name", "Lesson", "--slug", who + "-60",
                    "--duration", "1h").ok();
        }
        cli.run("user", "add", "--name", "Student", "--email", "student@example.org", "--tz", "Europe/Berlin").ok();
    }

    /** {@code count} one-hour appointments of {@code who}, an hour apart from {@code first}, references PREFIX + n with digits written as letters (0 = A, 1 = B). */
    static void insert(String who, String prefix, String first, int count, String length) {
        org.jdbi.v3.core.Jdbi.create(db.ownerDataSource()).useTransaction(h -> {
            // Seeding only: the booking triggers (outbox, audit, analytics) would take minutes for 100,000 rows
            // on a loaded machine and are not what these tests are about.
            h.execute("SET LOCAL session_replication_role = replica");
            h.createUpdate("""
                        INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at,
                                                  timezone, price, currency, blocked, session_key)
                        SELECT :prefix || translate(lpad(n::text, 8 - length(:prefix), '0'), '0123456789', 'ABCDEFGHJK'), i.id, s.id, t.id, 'confirmed',
                               :first::timestamptz + n * interval '1 hour',
                               :first::timestamptz + n * interval '1 hour' + :length::interval, 'America/New_York', 50, 'USD',
                               tstzrange(:first::timestamptz + n * interval '1 hour',
                                         :first::timestamptz + n * interval '1 hour' + :length::interval),
                               'seed:' || :prefix || n
                        FROM users i, users s, appointment_types t, generate_series(0, :count - 1) n
                        WHERE i.email = :who AND s.email = 'student@example.org' AND t.slug = :slug
                        """)
                .bind("prefix", prefix).bind("first", first).bind("count", count).bind("length", length)
                .bind("who", who + "@example.org").bind("slug", who + "-60").execute();
        });
    }

    @Test
    void bookingsInTheRepeatedHourKeepTheirInstantsInIcalJs() throws Exception {
        // 01:30 EDT and 01:30 EST on the fall-back day: one local name, two instants. Plus a booking ending in it.
        insert("dst", "FALLA", "2027-11-07T05:30:00Z", 2, "1 hour"); // 05:30Z-06:30Z and 06:30Z-07:30Z
        insert("dst", "FALLB", "2027-11-07T04:45:00Z", 1, "30 minutes"); // 00:45 EDT to 01:15 EDT
        Path file = dir.resolve("dst.ics");
        cli().run("export", "ics", "--instructor", "dst@example.org", "-f", file.toString()).ok();
        String ics = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(ics.contains("DTSTART:20271107T053000Z\r\nDTEND:20271107T063000Z\r\n"), ics);
        assertFalse(ics.contains("DTEND;TZID=America/New_York:20271107T013000"), "no zero-length event: " + ics);

        IcalJs.Read read = IcalJs.read(file);
        assertEquals("2027-11-07T05:30:00Z", read.event("FALLAAAA@schedctl").get("start").asText());
        assertEquals("2027-11-07T06:30:00Z", read.event("FALLAAAA@schedctl").get("end").asText());
        assertEquals("2027-11-07T06:30:00Z", read.event("FALLAAAB@schedctl").get("start").asText());
        assertEquals("2027-11-07T07:30:00Z", read.event("FALLAAAB@schedctl").get("end").asText());
        assertEquals("2027-11-07T04:45:00Z", read.event("FALLBAAA@schedctl").get("start").asText());
        assertEquals("2027-11-07T05:15:00Z", read.event("FALLBAAA@schedctl").get("end").asText());
    }

    @Test
    void vtimezoneCarriesOnlyTheTransitionsTheEventsNeed() throws Exception {
        insert("feed", "SUMR", "2027-06-01T13:00:00Z", 1, "1 hour");
        Result one = new Result(cli().run("export", "ics", "--ref", "SUMRAAAA").ok().stdout());
        String vtimezone = one.ics.substring(one.ics.indexOf("BEGIN:VTIMEZONE"), one.ics.indexOf("END:VTIMEZONE"));
        assertTrue(vtimezone.split("\r\n").length <= 8, "one observance for one summer event: " + vtimezone);
        assertFalse(vtimezone.contains("1883"), vtimezone);
        Path file = dir.resolve("one.ics");
        Files.writeString(file, one.ics, StandardCharsets.UTF_8);
        assertEquals("2027-06-01T13:00:00Z", IcalJs.read(file).event("SUMRAAAA@schedctl").get("start").asText());
    }

    private record Result(String ics) {
    }

    @Test
    void moreThanAHundredThousandAppointmentsExportWithoutACap() throws Exception {
        insert("many", "M", "2030-01-01T00:00:00Z", 100_001, "1 hour");
        Path csv = dir.resolve("many.csv");
        cli().run("export", "csv", "--instructor", "many@example.org", "-f", csv.toString()).ok();
        try (var lines = Files.lines(csv)) {
            assertEquals(100_002, lines.count());
        }
        Path ics = dir.resolve("many.ics");
        cli().run("export", "ics", "--instructor", "many@example.org", "-f", ics.toString()).ok();
        long events;
        try (var lines = Files.lines(ics)) {
            events = lines.filter("BEGIN:VEVENT"::equals).count();
        }
        assertEquals(100_001, events);
        // ical.js reads a slice (its full parse of 100,001 events takes minutes on a loaded machine): the first
        // 1,992 hours (83 days), written by the same streaming path.
        Path slice = dir.resolve("slice.ics");
        cli().run("export", "ics", "--instructor", "many@example.org", "--from", "2030-01-01", "--to", "2030-03-24",
                "--tz", "UTC", "-f", slice.toString()).ok();
        IcalJs.Read read = IcalJs.read(slice);
        assertEquals(1_992, read.events().size());
        assertEquals("2030-03-24T23:00:00Z", read.events().get(1_991).get("start").asText());
        Path json = dir.resolve("many.json");
        cli().run("export", "json", "--instructor", "many@example.org", "-f", json.toString()).ok();
        assertEquals(100_001, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).size());
    }

    @Test
    void instructorAndStudentFeedsCarryRfc7986PropertiesAndStableBytes() throws Exception {
        insert("feed", "FEED", "2027-02-01T15:00:00Z", 3, "1 hour");
        Path file = dir.resolve("feed.ics");
        cli().run("export", "ics", "--feed", "--instructor", "feed@example.org", "--refresh", "15m",
                "--source", "https://school.example.org/feeds/feed.ics", "-f", file.toString()).ok();
        IcalJs.Read read = IcalJs.read(file);
        assertEquals("schedctl: Teacher feed (teaching)", read.calendar().get("name").asText());
        assertEquals("PT15M", read.calendar().get("refreshInterval").asText());
        assertEquals("https://school.example.org/feeds/feed.ics", read.calendar().get("source").asText());
        assertTrue(read.events().size() >= 3, read.events().toString());
        // Stable: a later run over the same appointments writes the same bytes.
        String first = Files.readString(file, StandardCharsets.UTF_8);
        String later = db.cli().withClock(Clock.fixed(Instant.parse("2027-01-20T08:00:00Z"), ZoneOffset.UTC))
                .run("export", "ics", "--feed", "--instructor", "feed@example.org", "--refresh", "15m",
                        "--source", "https://school.example.org/feeds/feed.ics").ok().stdout();
        assertEquals(first, later);
        String student = cli().run("export", "ics", "--feed", "--student", "student@example.org").ok().stdout();
        assertTrue(student.contains("NAME:schedctl: Student (lessons)\r\n") && student.contains("REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"), student);
        FoundationCommandsIT.assertError(cli().run("export", "ics", "--feed"), 2, "--feed needs --instructor or --student");
        FoundationCommandsIT.assertError(cli().run("export", "ics", "--source", "https://x.example"), 2, "Add --feed");
    }
}
