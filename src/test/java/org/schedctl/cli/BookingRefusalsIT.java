package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * The exact one-line refusal of `book` for each thing that can be wrong with a request, which one wins when
 * several are, and that none writes anything. `book` resolves names and reads the time inside one database call
 * (book_appointment) and falls back to step-by-step resolution for malformed input; both must say the same.
 */
class BookingRefusalsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String[] TABLES = {"appointments", "appointment_events", "appointment_notifications",
            "booking_sessions", "audit_log", "booking_metrics_realtime"};

    @Test
    void everyRefusalHasItsOwnMessageAndExitCodeAndWritesNothing() {
        BookingFixture f = new BookingFixture(db, "ref");
        String una = f.student("una");
        String lesson = f.type("lesson", "--duration", "30m", "--max-advance", "400d");
        BookingFixture other = new BookingFixture(db, "oth");
        String foreign = other.type("lesson", "--duration", "30m");
        String old = f.type("old", "--duration", "30m");
        f.cli().run("type", "archive", old).ok();
        CliDriver cli = f.cli();
        long[] before = counts(f);

        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", lesson, una, "2027-06-02T10:00", null);
        refused(cli, 2, "user " + una + " is a student, not an instructor. Name an instructor (see `schedctl instructor list`)",
                una, lesson, una, "2027-06-02T10:00", null);
        refused(cli, 4, "appointment type 'no-such-type' not found. See `schedctl type list`",
                f.instructor, "no-such-type", una, "2027-06-02T10:00", null);
        refused(cli, 2, "appointment type '" + foreign + "' is not offered by " + f.instructor
                        + ". See `schedctl type list --instructor " + f.instructor + "`",
                f.instructor, foreign, una, "2027-06-02T10:00", null);
        refused(cli, 3, "appointment type '" + old + "' is archived and takes no new bookings. Pick another type",
                f.instructor, old, una, "2027-06-02T10:00", null);
        refused(cli, 4, "user 'ghost@example.org' not found. See `schedctl user list`",
                f.instructor, lesson, "ghost@example.org", "2027-06-02T10:00", null);
        refused(cli, 2, "the student and the instructor are the same user. Book for a different student, or with a different instructor",
                f.instructor, lesson, f.instructor, "2027-06-02T10:00", null);
        refused(cli, 2, "the time 2027-05-31T14:00:00Z is in the past (now is 2027-06-01T12:00:00Z). Pick a future time",
                f.instructor, lesson, una, "2027-05-31T10:00", null);
        refused(cli, 2, "the time 2027-05-31T14:00:00Z is in the past (now is 2027-06-01T12:00:00Z). Pick a future time",
                f.instructor, lesson, una, "2027-05-31T14:00:00Z", null);
        refused(cli, 2, "2028-03-12T02:30 does not exist in America/New_York (clocks skip 02:00->03:00). Pick another time",
                f.instructor, lesson, una, "2028-03-12T02:30", null);
        refused(cli, 2, "2027-11-07T01:30 happens twice in America/New_York. Add an offset: 2027-11-07T01:30-04:00 or 2027-11-07T01:30-05:00",
                f.instructor, lesson, una, "2027-11-07T01:30", null);
        refused(cli, 2, "2027-03-28T02:30 does not exist in Europe/Berlin (clocks skip 02:00->03:00). Pick another time",
                f.instructor, lesson, una, "2027-03-28T02:30", "Europe/Berlin");
        refused(cli, 3, "cannot book 2027-06-02T07:00:00-04:00: the time is outside the instructor's availability. "
                        + "See `schedctl availability slots`. Next free: 2027-06-02T09:00:00-04:00, 2027-06-02T09:30:00-04:00, "
                        + "2027-06-02T10:00:00-04:00",
                f.instructor, lesson, una, "2027-06-02T07:00", null);
        refused(cli, 3, "cannot book 2027-06-02T13:00:00+02:00: the time is outside the instructor's availability. "
                        + "See `schedctl availability slots`. Next free: 2027-06-02T15:00:00+02:00, 2027-06-02T15:30:00+02:00, "
                        + "2027-06-02T16:00:00+02:00",
                f.instructor, lesson, una, "2027-06-02T13:00", "Europe/Berlin");

        // which problem wins when there are several: the order of the step-by-step checks
        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", "no-such-type", "ghost@example.org", "2028-03-12T02:30", null);
        refused(cli, 4, "appointment type 'no-such-type' not found. See `schedctl type list`",
                f.instructor, "no-such-type", "ghost@example.org", "2027-06-02T10:00", null);
        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", lesson, una, "2027-06-02T25:00", null);
        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", lesson, una, "2027-03-28T02:30", "Europe/Berlin");
        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", lesson, una, "2027-06-02T10:00", "Mars/Olympus");
        refused(cli, 2, "2020-03-08T02:30 does not exist in America/New_York (clocks skip 02:00->03:00). Pick another time",
                f.instructor, lesson, f.instructor, "2020-03-08T02:30", null);
        refused(cli, 2, "the student and the instructor are the same user. Book for a different student, or with a different instructor",
                f.instructor, lesson, f.instructor, "2020-03-09T10:00", null);
        refused(cli, 2, "missing user. Name a user by email or id",
                f.instructor, lesson, "  ", "2027-06-02T10:00", null);
        refused(cli, 4, "user 'nobody@example.org' not found. See `schedctl user list`",
                "nobody@example.org", lesson, "  ", "2027-06-02T10:00", null);
        refused(cli, 2, "bad time '2027-06-02T25:00'. Use a local time like 2027-03-14T09:00 (read in America/New_York) "
                        + "or ISO-8601 with an offset like 2027-03-14T09:00-04:00 or 2027-03-14T13:00Z",
                f.instructor, lesson, una, "2027-06-02T25:00", null);

        assertEquals(List.of(), changed(f, before), "refusals wrote nothing");
    }

    @Test
    void namesByIdAndRowLevelSecurityDecideWhatABookerMaySee() {
        BookingFixture f = new BookingFixture(db, "ids");
        String vic = f.student("vic");
        String wes = f.student("wes");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver admin = f.cli();
        long instructorId = f.count("SELECT id FROM users WHERE email = '" + f.instructor + "'");
        long typeId = f.count("SELECT id FROM appointment_types WHERE slug = '" + lesson + "'");
        long vicId = f.count("SELECT id FROM users WHERE email = '" + vic + "'");

        Result byIds = admin.run("-o", "json", "book", "--instructor", " " + instructorId + " ", "--type", String.valueOf(typeId),
                "--student", String.valueOf(vicId), "--at", "2027-06-02T10:00", "--idempotency-key", "by-ids");
        assertEquals(vic, byIds.ok().json().get("student").asText());
        assertEquals(lesson, byIds.json().get("type").asText());
        String again = admin.run("-o", "json", "book", "--instructor", f.instructor.toUpperCase(), "--type", lesson.toUpperCase(),
                "--student", vic, "--at", "2027-06-02T14:00:00Z", "--idempotency-key", "by-ids").ok().json().get("reference").asText();
        assertEquals(byIds.json().get("reference").asText(), again, "same request by names: a replay");

        // a student sees neither another student nor that student's booking under row-level security
        CliDriver asWes = admin.withEnv("SCHEDCTL_USER", wes);
        long[] before = counts(f);
        refused(asWes, 4, "user '" + vic + "' not found. See `schedctl user list`",
                f.instructor, lesson, vic, "2027-06-02T11:00", null);
        assertEquals(List.of(), changed(f, before));
        Result own = asWes.run("-o", "json", "book", "--instructor", f.instructor, "--type", lesson, "--student", wes,
                "--at", "2027-06-02T10:00");
        assertEquals(3, own.exitCode(), own.toString());
        assertTrue(own.stderr().startsWith("schedctl: error: cannot book 2027-06-02T10:00:00-04:00: the slot is taken: "
                + "it overlaps another booking or hold of this instructor. Pick another time. Next free: 2027-06-02T10:30:00-04:00, "), own.toString());
        assertEquals(wes, asWes.run("-o", "json", "book", "--instructor", f.instructor, "--type", lesson, "--student", wes,
                "--at", "2027-06-02T10:30").ok().json().get("student").asText());
    }

    private static void refused(CliDriver cli, int code, String message, String instructor, String type, String student,
                                String at, String tz) {
        List<String> args = new ArrayList<>(List.of("book", "--instructor", instructor, "--type", type, "--student", student,
                "--at", at));
        if (tz != null) {
            args.addAll(List.of("--tz", tz));
        }
        Result result = cli.run(args.toArray(String[]::new));
        assertEquals(code, result.exitCode(), result.toString());
        assertEquals("schedctl: error: " + message, result.stderr().strip(), result.toString());
        assertEquals("", result.stdout(), result.toString());
    }

    private static long[] counts(BookingFixture f) {
        long[] n = new long[TABLES.length];
        for (int i = 0; i < TABLES.length; i++) {
            n[i] = f.count("SELECT count(*) FROM " + TABLES[i]);
        }
        return n;
    }

    private static List<String> changed(BookingFixture f, long[] before) {
        long[] after = counts(f);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < TABLES.length; i++) {
            if (after[i] != before[i]) {
                changed.add(TABLES[i] + ": " + before[i] + " -> " + after[i]);
            }
        }
        return changed;
    }
}
