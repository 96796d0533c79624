package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Issue 16: lesson series. The fixture's instructor is in New York, free 09:00–17:00 every day; "now" is
 * 2027-06-01T12:00Z.
 */
class SeriesIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static JsonNode json(CliDriver cli, String... args) {
        List<String> all = new ArrayList<>(List.of("-o", "json"));
        all.addAll(List.of(args));
        CliDriver.Result result = cli.run(all.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.toString());
        return result.json();
    }

    private static List<String> column(JsonNode rows, String field) {
        List<String> values = new ArrayList<>();
        rows.forEach(r -> values.add(r.get(field).isNull() ? null : r.get(field).asText()));
        return values;
    }

    /** The instants of a time column (printed with the series' offset), as UTC text. */
    private static List<String> instants(JsonNode rows, String field) {
        List<String> values = new ArrayList<>();
        rows.forEach(r -> values.add(r.get(field).isNull() ? null
                : java.time.OffsetDateTime.parse(r.get(field).asText()).toInstant().toString()));
        return values;
    }

    @Test
    void aWeeklySeriesSkipsTheClosureAndIsOneConversation() {
        BookingFixture f = new BookingFixture(db, "wk");
        String ann = f.student("ann");
        String piano = f.type("piano", "--duration", "45m", "--price", "40", "--currency", "EUR",
                "--cancel-policy", "free>=24h,50%>=2h,100%");
        CliDriver cli = f.cli();
        cli.run("closure", "add", "--from", "2027-06-14T00:00", "--to", "2027-06-15T00:00", "--reason", "Holiday",
                "--tz", "America/New_York").ok();

        JsonNode booked = json(cli, "book", "--instructor", f.instructor, "--type", piano, "--student", ann,
                "--at", "2027-06-07T10:30", "--repeat", "FREQ=WEEKLY;COUNT=4");
        assertEquals(List.of("booked", "closed", "booked", "booked"), column(booked, "outcome"));
        assertEquals(List.of("2027-06-07T14:30:00Z", "2027-06-14T14:30:00Z", "2027-06-21T14:30:00Z", "2027-06-28T14:30:00Z"),
                instants(booked, "planned"));
        String sref = booked.get(0).get("series").asText();
        assertTrue(sref.matches("S[A-Z2-9]{8}"), sref);
        // every occurrence is an ordinary appointment
        String first = booked.get(0).get("reference").asText();
        assertEquals("confirmed", json(cli, "appointments", "show", first).get("status").asText());
        assertEquals(3, f.count("SELECT count(*) FROM appointments a JOIN appointment_series s ON s.id = a.series_id "
                + "WHERE s.reference = '" + sref + "'"));
        // one 'booked' message per recipient and channel, listing every date; reminders per occurrence
        assertEquals(4, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id "
                + "JOIN appointment_series s ON s.id = a.series_id WHERE s.reference = '" + sref + "' AND n.kind = 'booked'"));
        assertEquals(1, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id "
                + "WHERE a.series_id IS NOT NULL AND n.kind = 'booked' AND n.channel = 'email' AND n.recipient = '" + ann
                + "' AND n.note LIKE '%2027-06-07 10:30%' AND n.note LIKE '%2027-06-28 10:30%'"));
        // reminders are owed per occurrence by the one reminder schedule (written to the outbox when due, issue 11)
        assertTrue(f.count("SELECT count(*) FROM appointment_reminder_schedule('-infinity', 'infinity') r JOIN appointments a "
                + "ON a.id = r.appointment_id WHERE a.reference = '" + booked.get(3).get("reference").asText() + "'") > 0);

        JsonNode shown = json(cli, "series", "show", sref);
        assertEquals(List.of("confirmed", "confirmed", "confirmed"), column(shown, "outcome"));
        assertEquals(1, json(cli, "series", "list", "--student", ann).size());

        // a waiter for the last lesson's time is offered it when the series is cancelled from there
        String bob = f.student("bob");
        cli.run("waitlist", "add", "--instructor", f.instructor, "--type", piano, "--student", bob,
                "--from", "2027-06-28T10:30", "--to", "2027-06-28T11:15").ok();
        // cancel the last two: free (more than 24h ahead), summed; one 'cancelled' message
        JsonNode cancelled = json(cli, "series", "cancel", sref, "--from", booked.get(2).get("reference").asText());
        assertEquals(2, cancelled.get("occurrences").asInt());
        assertEquals(0, cancelled.get("fees").decimalValue().signum());
        assertEquals(2, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id "
                + "JOIN appointment_series s ON s.id = a.series_id WHERE s.reference = '" + sref
                + "' AND n.kind = 'cancelled' AND n.channel = 'email'"));
        assertEquals(List.of("confirmed", "cancelled", "cancelled"), column(json(cli, "series", "show", sref), "outcome"));
        assertEquals("offered", json(cli, "waitlist", "list", "--student", bob).get(0).get("status").asText());
        assertEquals(1, json(cli, "series", "list").get(0).get("sequence").asInt());
    }

    @Test
    void failIsAllOrNothingSkipAndNearestWorkAroundConflicts() {
        BookingFixture f = new BookingFixture(db, "cf");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String lesson = f.type("lesson", "--duration", "60m");
        CliDriver cli = f.cli();
        cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", bob, "--at", "2027-06-16T10:00").ok();
        long before = f.count("SELECT count(*) FROM appointments");

        CliDriver.Result refused = cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-02T10:00", "--repeat", "FREQ=WEEKLY;COUNT=4");
        refused.expect(3);
        assertTrue(refused.stderr().contains("1 of 4 dates conflict") && refused.stderr().contains("2027-06-16T10:00:00-04:00"),
                refused.stderr());
        assertEquals(1, refused.stderr().strip().lines().count(), refused.stderr());
        assertEquals(before, f.count("SELECT count(*) FROM appointments"));
        assertEquals(0, f.count("SELECT count(*) FROM appointment_series s JOIN users u ON u.id = s.student_id WHERE u.email = '" + ann + "'"));

        JsonNode dry = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-02T10:00", "--repeat", "weekly", "--until", "2027-06-23", "--on-conflict", "skip", "--dry-run");
        assertEquals(List.of("booked", "booked", "skipped", "booked"), column(dry, "outcome"));
        assertEquals(before, f.count("SELECT count(*) FROM appointments"));

        JsonNode skipped = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-02T10:00", "--repeat", "weekly", "--until", "2027-06-23", "--on-conflict", "skip");
        assertEquals(List.of("booked", "booked", "skipped", "booked"), column(skipped, "outcome"));

        JsonNode nearest = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", bob,
                "--at", "2027-06-03T10:00", "--repeat", "FREQ=DAILY;COUNT=2", "--on-conflict", "nearest", "--window", "3h");
        // 2027-06-03 10:00 is free; 2027-06-04 10:00 is free too; then move the first series into a taken time
        assertEquals(List.of("booked", "booked"), column(nearest, "outcome"));
        JsonNode moved = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T10:00", "--repeat", "FREQ=DAILY;COUNT=1", "--on-conflict", "nearest", "--window", "3h");
        assertEquals("moved", moved.get(0).get("outcome").asText());
        assertEquals("2027-06-03T13:00:00Z", instants(moved, "start").get(0)); // 09:00 New York, an hour before
        assertEquals(0, f.count("""
                SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id AND a.instructor_id = b.instructor_id
                 AND a.blocked && b.blocked AND a.session_key <> b.session_key AND a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
                """));
    }

    @Test
    void badInputIsOneLineAndWritesNothing() {
        BookingFixture f = new BookingFixture(db, "bad");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "60m", "--max-advance", "400d");
        CliDriver cli = f.cli();
        String[] base = {"book", "--instructor", f.instructor, "--type", lesson, "--student", ann, "--at", "2027-06-02T10:00"};
        assertOneLine(cli.run(concat(base, "--repeat", "FREQ=WEEKLY")).expect(2), "never ends");
        assertOneLine(cli.run(concat(base, "--for-term", "Nope")).expect(4), "term 'Nope' not found");
        assertOneLine(cli.run(concat(base, "--repeat", "FREQ=DAILY;COUNT=201")).expect(2), "more than 200");
        assertOneLine(cli.run(concat(base, "--repeat", "FREQ=WEEKLY;BYDAY=TU;COUNT=3")).expect(2), "does not include");
        assertOneLine(cli.run(concat(base, "--on-conflict", "skip")).expect(2), "--repeat");
        assertOneLine(cli.run(concat(base, "--repeat", "weekly", "--until", "2027-06-30", "--on-conflict", "maybe")).expect(2),
                "fail, skip or nearest");
        assertEquals(0, f.count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.student_id WHERE u.email = '" + ann + "'"));

        cli.run("term", "add", "Summer", "--from", "2027-06-01", "--to", "2027-06-20").ok();
        JsonNode term = json(cli, concat(base, "--for-term", "Summer"));
        assertEquals(3, term.size());
        String sref = term.get(0).get("series").asText();
        assertOneLine(cli.run("series", "cancel", sref, "--from", "ABCDEFGH").expect(4), "is not in series");
        assertOneLine(cli.run("series", "reschedule", sref, "--from", "ABCDEFGH", "--to", "2027-06-02T11:00").expect(4),
                "is not in series");
        cli.run("closure", "add", "--from", "2027-06-10T00:00", "--to", "2027-06-11T00:00", "--reason", "Exams",
                "--tz", "America/New_York").ok();
        // moving the second and third lesson a day later puts the second into the closure: refused, nothing moved
        assertOneLine(cli.run("series", "reschedule", sref, "--from", term.get(1).get("reference").asText(),
                "--to", "2027-06-10T10:00").expect(3), "closed");
        assertEquals(List.of("2027-06-02T14:00:00Z", "2027-06-09T14:00:00Z", "2027-06-16T14:00:00Z"),
                instants(json(cli, "series", "show", sref), "start"));
        // a day earlier is fine, and keeps the local time
        JsonNode moved = json(cli, "series", "reschedule", sref, "--from", term.get(1).get("reference").asText(),
                "--to", "2027-06-08T10:00");
        assertEquals(List.of("moved", "moved"), column(moved, "outcome"));
        assertEquals(List.of("2027-06-02T14:00:00Z", "2027-06-08T14:00:00Z", "2027-06-15T14:00:00Z"),
                instants(json(cli, "series", "show", sref), "start"));
    }

    @Test
    void localTimeIsKeptAcrossDstAndAGapOccurrenceShiftsAsTheRfcSays() {
        BookingFixture f = new BookingFixture(db, "dst");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "60m", "--max-advance", "400d");
        CliDriver cli = f.cli();
        JsonNode autumn = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-10-31T10:00", "--repeat", "FREQ=WEEKLY;COUNT=2");
        assertEquals(List.of("2027-10-31T14:00:00Z", "2027-11-07T15:00:00Z"), instants(autumn, "start"));

        JsonNode gap = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2028-03-05T02:30", "--repeat", "FREQ=WEEKLY;COUNT=2", "--on-conflict", "skip", "--dry-run");
        assertEquals("2028-03-12T07:30:00Z", instants(gap, "planned").get(1)); // 03:30 EDT
        assertTrue(gap.get(1).get("note").asText().contains("02:30 does not exist on 2028-03-12"), gap.toString());
    }

    @Test
    void limitsApplyToEveryOccurrence() {
        BookingFixture f = new BookingFixture(db, "lim");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String lesson = f.type("lesson", "--duration", "60m");
        CliDriver cli = f.cli();
        cli.run("instructor", "settings", f.instructor, "--max-daily", "1").ok();
        cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", bob, "--at", "2027-06-04T15:00").ok();
        // 2027-06-04 already has its one session; the default 90 days' advance ends on 2027-08-30
        JsonNode plan = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-02T10:00", "--repeat", "FREQ=DAILY;COUNT=3", "--on-conflict", "skip");
        assertEquals(List.of("booked", "booked", "skipped"), column(plan, "outcome"));
        assertTrue(plan.get(2).get("note").asText().contains("daily maximum"), plan.toString());
        JsonNode far = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-08-23T10:00", "--repeat", "FREQ=WEEKLY;COUNT=3", "--on-conflict", "skip", "--dry-run");
        assertEquals(List.of("booked", "skipped", "skipped"), column(far, "outcome"));
        assertTrue(far.get(1).get("note").asText().contains("ahead"), far.toString());
    }

    @Test
    void bookSeriesCalledDirectlyIsAllOrNothingAndSeriesAreTheirPartiesOwn() {
        BookingFixture f = new BookingFixture(db, "sql");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String lesson = f.type("lesson", "--duration", "60m");
        CliDriver cli = f.cli();
        cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", bob, "--at", "2027-06-09T10:00").ok();
        // a client on the runtime role calling the function itself, and committing: nothing of the refused series stays
        List<String> outcomes = new ArrayList<>();
        db.database().as(ann, "test").useTransaction(h -> outcomes.addAll(h.createQuery("""
                        SELECT b.outcome FROM users i, users s, appointment_types t,
                               LATERAL book_series(i.id, t.id, s.id, ARRAY[timestamptz '2027-06-02 14:00Z', timestamptz '2027-06-09 14:00Z'],
                                                   'fail', interval '1 hour', 'FREQ=WEEKLY;COUNT=2', timestamp '2027-06-02 10:00',
                                                   'America/New_York', NULL, timestamptz '2027-06-01 12:00Z') b
                         WHERE i.email = :i AND s.email = :s AND t.slug = :t
                        """).bind("i", f.instructor).bind("s", ann).bind("t", lesson).mapTo(String.class).list()));
        assertEquals(List.of("booked", "conflict"), outcomes);
        assertEquals(0, f.count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.student_id WHERE u.email = '" + ann + "'"));
        assertEquals(0, f.count("SELECT count(*) FROM appointment_series s JOIN users u ON u.id = s.student_id WHERE u.email = '" + ann + "'"));

        String sref = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-02T10:00", "--repeat", "FREQ=WEEKLY;COUNT=1").get(0).get("series").asText();
        assertEquals(List.of(sref), column(json(cli, "--as", ann, "series", "list"), "reference"));
        assertEquals(0, json(cli, "--as", bob, "series", "list").size());
        cli.run("--as", bob, "series", "show", sref).expect(4);
        cli.run("--as", bob, "series", "cancel", sref).expect(4);
    }

    @Test
    void aSeriesHoldsOneSeatInEachGroupSession() {
        BookingFixture f = new BookingFixture(db, "grp");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String cy = f.student("cy");
        String group = f.type("group", "--duration", "60m", "--capacity", "2");
        CliDriver cli = f.cli();
        for (String s : List.of(ann, bob)) {
            json(cli, "book", "--instructor", f.instructor, "--type", group, "--student", s, "--at", "2027-06-02T10:00",
                    "--repeat", "FREQ=WEEKLY;COUNT=3");
        }
        assertEquals(6, f.count("SELECT count(*) FROM appointments WHERE session_key LIKE 'g:%'"));
        CliDriver.Result full = cli.run("book", "--instructor", f.instructor, "--type", group, "--student", cy,
                "--at", "2027-06-02T10:00", "--repeat", "FREQ=WEEKLY;COUNT=3");
        full.expect(3);
        assertTrue(full.stderr().contains("full"), full.stderr());
    }

    @Test
    void theCalendarCarriesTheSeriesAsOneEventThatIcalJsExpandsToTheDatabasesInstants() throws Exception {
        BookingFixture f = new BookingFixture(db, "ics");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "60m", "--max-advance", "400d");
        CliDriver cli = f.cli();
        cli.run("closure", "add", "--from", "2027-10-26T00:00", "--to", "2027-10-27T00:00", "--reason", "Fair",
                "--tz", "America/New_York").ok();
        // Tuesdays at 10:00 New York across the end of DST (7 November 2027)
        JsonNode booked = json(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-10-19T10:00", "--repeat", "FREQ=WEEKLY;COUNT=6");
        assertEquals("closed", booked.get(1).get("outcome").asText());
        String sref = booked.get(0).get("series").asText();
        json(cli, "cancel", booked.get(2).get("reference").asText());
        json(cli, "series", "reschedule", sref, "--from", booked.get(4).get("reference").asText(), "--to", "2027-11-16T11:00");

        java.nio.file.Path file = java.nio.file.Files.createTempFile("series-", ".ics");
        try {
            cli.run("series", "export", sref, "-f", file.toString()).ok();
            String text = java.nio.file.Files.readString(file);
            assertEquals(3, text.split("BEGIN:VEVENT", -1).length - 1, text); // the series and two moved occurrences
            assertTrue(text.contains("RRULE:FREQ=WEEKLY;COUNT=6") && text.contains("EXDATE;TZID=America/New_York:20271026T100000")
                    && text.contains("EXDATE;TZID=America/New_York:20271102T100000") && text.contains("SEQUENCE:1"), text);
            org.schedctl.test.IcalJs.Read read = org.schedctl.test.IcalJs.read(file);
            List<String> expanded = new ArrayList<>();
            read.events().stream().filter(e -> e.has("occurrences")).findFirst().orElseThrow()
                    .get("occurrences").forEach(o -> expanded.add(o.get("start").asText()));
            List<String> database = new ArrayList<>();
            db.database().useTransaction(h -> database.addAll(h.createQuery("""
                            SELECT to_char(a.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM appointments a
                              JOIN appointment_series s ON s.id = a.series_id
                             WHERE s.reference = :r AND a.status <> 'cancelled' ORDER BY a.starts_at
                            """).bind("r", sref).mapTo(String.class).list()));
            assertEquals(List.of("2027-10-19T14:00:00Z", "2027-11-09T15:00:00Z", "2027-11-16T16:00:00Z", "2027-11-23T16:00:00Z"),
                    database);
            assertEquals(database, expanded, read.events().toString());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static void assertOneLine(CliDriver.Result result, String fragment) {
        assertTrue(result.stderr().contains(fragment), result.stderr());
        assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
        assertEquals("", result.stdout());
    }
}
