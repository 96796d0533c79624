package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.domain.notify.ReminderPolicy;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * The school's default reminder offsets (config key reminders.offsets): instructors without offsets of their own
 * (NULL in instructor_settings) get the outbox reminders it names; explicit offsets win; `--reminders default`
 * goes back to it; unset, the default is 24h,1h,15m.
 */
class SchoolReminderDefaultIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** Tuesday 2027-06-01 08:00 in New York. */
    private static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");

    private static CliDriver cli() {
        return db.cli().withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static CliDriver school(String offsets) {
        return cli().withEnv("SCHEDCTL_REMINDERS_OFFSETS", offsets);
    }

    /** An instructor available 09:00-17:00 every day in New York, with a 1h type {@code <prefix>-lesson}. */
    private static String instructor(CliDriver cli, String prefix) {
        String email = prefix + "-teacher@example.org";
        cli.run("user", "add", "--name", "Teacher " + prefix, "--email", email, "--role", "instructor",
                "--tz", "America/New_York").ok();
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                SELECT u.id, d, '09:00', '17:00', 'America/New_York' FROM users u, generate_series(1, 7) d
                WHERE u.email = ?""", email));
        cli.run("type", "add", "--instructor", email, "--name", "Lesson " + prefix, "--slug", prefix + "-lesson",
                "--duration", "1h").ok();
        return email;
    }

    private static String student(CliDriver cli, String prefix) {
        String email = prefix + "-student@example.org";
        cli.run("user", "add", "--name", "Student " + prefix, "--email", email).ok();
        return email;
    }

    private static String book(CliDriver cli, String prefix, String at) {
        return cli.run("-o", "json", "book", "--instructor", prefix + "-teacher@example.org", "--type", prefix + "-lesson",
                "--student", prefix + "-student@example.org", "--at", at).ok().json().get("reference").asText();
    }

    /** The reminders an appointment owes under the school's default "2h,10m": due instant → the recipients' emails, one entry per channel. */
    private static Map<String, List<String>> reminders(String reference) {
        return reminders(reference, "2h,10m");
    }

    /**
     * The reminders an appointment owes (appointment_reminder_schedule, from which the dispatcher writes them when
     * due) under the school default {@code schoolOffsets} (null: unset) of the dispatcher's config.
     */
    private static Map<String, List<String>> reminders(String reference, String schoolOffsets) {
        String offsets = schoolOffsets == null ? "" : ReminderPolicy.parse(schoolOffsets).toSqlArray();
        return db.database().inTransaction(h -> {
            Map<String, List<String>> due = new TreeMap<>();
            h.createQuery("SELECT set_config('app.reminder_offsets', :offsets, true)").bind("offsets", offsets).mapTo(String.class).one();
            h.createQuery("""
                            SELECT r.due_at, u.email FROM appointment_reminder_schedule('-infinity', 'infinity') r
                            JOIN appointments a ON a.id = r.appointment_id JOIN users u ON u.id = r.recipient_id
                            WHERE a.reference = :ref
                            ORDER BY r.due_at, u.email, r.channel""")
                    .bind("ref", reference)
                    .map((rs, ctx) -> Map.entry(rs.getObject(1, java.time.OffsetDateTime.class).toInstant().toString(),
                            rs.getString(2)))
                    .forEach(e -> due.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue()));
            return due;
        });
    }

    private static Map<String, List<String>> expected(String prefix, String... dueTimes) {
        Map<String, List<String>> due = new TreeMap<>();
        // email and in_app (the default channels), student and instructor
        List<String> each = List.of(prefix + "-student@example.org", prefix + "-student@example.org",
                prefix + "-teacher@example.org", prefix + "-teacher@example.org");
        for (String at : dueTimes) {
            due.put(at, each);
        }
        return due;
    }

    private static boolean storedIsNull(String email) {
        return db.database().inTransaction(h -> h.createQuery("""
                SELECT s.reminder_offsets IS NULL FROM instructor_settings s JOIN users u ON u.id = s.instructor_id
                WHERE u.email = :email""").bind("email", email).mapTo(Boolean.class).one());
    }

    private static void assertShows(JsonNode view, String reminders, boolean schoolDefault) {
        assertEquals(reminders, view.get("reminders").toString(), view.toString());
        assertEquals(schoolDefault, view.get("reminders_default").asBoolean(), view.toString());
    }

    @Test
    void anInstructorWithoutOffsetsGetsTheSchoolDefaultForStudentAndInstructor() {
        CliDriver cli = school("2h,10m");
        String teacher = instructor(cli, "def");
        student(cli, "def");
        assertTrue(storedIsNull(teacher), "a new instructor takes the school default");
        assertShows(cli.run("-o", "json", "instructor", "show", teacher).ok().json(), "[\"2h\",\"10m\"]", true);

        // 2027-06-02 10:00 New York = 14:00Z: reminders at 12:00Z and 13:50Z
        String ref = book(cli, "def", "2027-06-02T10:00:00-04:00");
        assertEquals(expected("def", "2027-06-02T12:00:00Z", "2027-06-02T13:50:00Z"), reminders(ref));

        // a reschedule moves them with the appointment
        cli.run("reschedule", ref, "--to", "2027-06-03T11:00").ok();
        assertEquals(expected("def", "2027-06-03T13:00:00Z", "2027-06-03T14:50:00Z"), reminders(ref));
    }

    @Test
    void explicitOffsetsWinAndDefaultGoesBackToTheSchoolsAndOtherChangesKeepIt() {
        CliDriver cli = school("2h,10m");
        String teacher = instructor(cli, "own");
        student(cli, "own");

        assertShows(cli.run("-o", "json", "instructor", "settings", teacher, "--reminders", "24h,1h").ok().json(),
                "[\"1d\",\"1h\"]", false);
        assertFalse(storedIsNull(teacher));
        String mine = book(cli, "own", "2027-06-03T10:00:00-04:00");
        assertEquals(expected("own", "2027-06-02T14:00:00Z", "2027-06-03T13:00:00Z"), reminders(mine));

        assertShows(cli.run("-o", "json", "instructor", "settings", teacher, "--reminders", "default").ok().json(),
                "[\"2h\",\"10m\"]", true);
        assertTrue(storedIsNull(teacher));
        String school = book(cli, "own", "2027-06-04T10:00:00-04:00");
        assertEquals(expected("own", "2027-06-04T12:00:00Z", "2027-06-04T13:50:00Z"), reminders(school));

        // another setting leaves the school default alone (not an empty array, which would mean no reminders)
        JsonNode buffered = cli.run("-o", "json", "instructor", "settings", teacher, "--buffer", "10m").ok().json();
        assertShows(buffered, "[\"2h\",\"10m\"]", true);
        assertEquals("10m", buffered.get("buffer_before").asText(), buffered.toString());
        assertTrue(storedIsNull(teacher));
        String after = book(cli, "own", "2027-06-05T10:00:00-04:00");
        assertEquals(expected("own", "2027-06-05T12:00:00Z", "2027-06-05T13:50:00Z"), reminders(after));

        // the list shows the same
        for (JsonNode row : cli.run("-o", "json", "instructor", "list").ok().json()) {
            if (row.get("email").asText().equals(teacher)) {
                assertShows(row, "[\"2h\",\"10m\"]", true);
            }
        }

        // none: explicitly no reminders, whatever the school says
        assertShows(cli.run("-o", "json", "instructor", "settings", teacher, "--reminders", "none").ok().json(), "[]", false);
        String silent = book(cli, "own", "2027-06-06T10:00:00-04:00");
        assertEquals(Map.of(), reminders(silent));
    }

    @Test
    void unsetTheDefaultIs24h1h15m() {
        CliDriver cli = cli();
        String teacher = instructor(cli, "unset");
        student(cli, "unset");
        assertShows(cli.run("-o", "json", "instructor", "show", teacher).ok().json(), "[\"1d\",\"1h\",\"15m\"]", true);
        String ref = book(cli, "unset", "2027-06-03T10:00:00-04:00");
        assertEquals(expected("unset", "2027-06-02T14:00:00Z", "2027-06-03T13:00:00Z", "2027-06-03T13:45:00Z"), reminders(ref, null));

        // reminders are owed, not pre-written: the school's default is the dispatcher's config when they fall due
        String other = book(school("30m"), "unset", "2027-06-04T10:00:00-04:00");
        assertEquals(expected("unset", "2027-06-04T13:30:00Z"), reminders(other, "30m"));
    }

    @Test
    void aBadDefaultIsAUsageErrorNamingTheKeyAndWritesNothing() {
        Result bad = school("soon").run("user", "add", "--name", "Nobody", "--email", "nobody@example.org",
                "--role", "instructor");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().contains("reminders.offsets"), bad.stderr());
        assertTrue(bad.stderr().contains("SCHEDCTL_REMINDERS_OFFSETS"), bad.stderr());
        assertEquals(1, bad.stderr().strip().lines().count(), bad.stderr());
        long written = db.database().inTransaction(h -> h.createQuery(
                "SELECT count(*) FROM users WHERE email = 'nobody@example.org'").mapTo(Long.class).one());
        assertEquals(0, written);

        Result outOfRange = school("24h,0m").run("instructor", "list");
        assertEquals(2, outOfRange.exitCode(), outOfRange.toString());
        assertTrue(outOfRange.stderr().contains("reminders.offsets"), outOfRange.stderr());
    }
}
