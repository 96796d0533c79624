package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.TestDatabase;

/**
 * Issue 13: `availability block` and the availability CSV had no way to give EXDATE. `--exdate` (repeatable,
 * comma-separated) and an `exdate` column leave occurrences of a repeated block out, read in the block's zone like
 * its start; one that names no occurrence, or given without an RRULE, is exit 2 and nothing is written; the export
 * writes the column back, so an export re-imports to the same block.
 */
class AvailabilityExdateIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;

    @BeforeAll
    static void school() {
        school = new BookingFixture(db, "exd");
    }

    /** The stored occurrence starts of the instructor's blocks with this reason, as UTC text. */
    static List<String> occurrences(String reason) {
        return db.database().inTransaction(h -> h.createQuery("""
                SELECT to_char(lower(o.during) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')
                FROM time_block_occurrences o JOIN time_blocks b ON b.id = o.block_id
                WHERE b.reason = :reason ORDER BY lower(o.during)""").bind("reason", reason).mapTo(String.class).list());
    }

    /** A refused CSV: exit 2, the row's FILE:LINE: message, the one-line summary, nothing on stdout. */
    static void assertRowError(org.schedctl.test.CliDriver.Result result, String row) {
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.stderr().contains(row), "expected '" + row + "' in " + result);
        assertTrue(result.stderr().contains("nothing was imported"), result.toString());
        assertEquals("", result.stdout(), result.toString());
    }

    @Test
    void exdateLeavesOccurrencesOutAndANameThatIsNoOccurrenceIsRefused() {
        // Mondays 12:00-13:00 in New York, four of them; the 2nd and the 4th left out (local times, like --from).
        school.cli().run("availability", "block", school.instructor, "--from", "2027-06-07T12:00", "--to", "2027-06-07T13:00",
                "--rrule", "FREQ=WEEKLY;COUNT=4", "--exdate", "2027-06-14T12:00", "--exdate", "2027-06-28T12:00,2027-06-28T12:00",
                "--reason", "lunch").ok();
        assertEquals(List.of("2027-06-07T16:00Z", "2027-06-21T16:00Z"), occurrences("lunch"));

        // Across the autumn change the local start still names the occurrence (EST from 7 November: 17:00Z on the 8th).
        school.cli().run("availability", "block", school.instructor, "--from", "2027-10-25T12:00", "--to", "2027-10-25T13:00",
                "--rrule", "FREQ=WEEKLY;COUNT=3", "--exdate", "2027-11-08T12:00", "--reason", "autumn").ok();
        assertEquals(List.of("2027-10-25T16:00Z", "2027-11-01T16:00Z"), occurrences("autumn"));

        long before = school.count("SELECT count(*) FROM time_blocks");
        assertError(school.cli().run("availability", "block", school.instructor, "--from", "2027-07-05T12:00", "--to", "2027-07-05T13:00",
                "--rrule", "FREQ=WEEKLY;COUNT=4", "--exdate", "2027-07-13T12:00"), 2, "is not the start of an occurrence");
        assertError(school.cli().run("availability", "block", school.instructor, "--from", "2027-07-05T12:00", "--to", "2027-07-05T13:00",
                "--exdate", "2027-07-05T12:00"), 2, "Give an RRULE too");
        assertError(school.cli().run("availability", "block", school.instructor, "--from", "2027-07-05T12:00", "--to", "2027-07-05T13:00",
                "--rrule", "FREQ=WEEKLY;COUNT=4", "--exdate", "next tuesday"), 2, "bad time 'next tuesday'");
        assertEquals(before, school.count("SELECT count(*) FROM time_blocks"), "a refused block writes nothing");
    }

    @Test
    void theCsvHasAnExdateColumnThatRoundTrips() throws Exception {
        String other = "exd-csv@example.org";
        school.cli().run("user", "add", "--name", "Csv", "--email", other, "--role", "instructor", "--tz", "Europe/Berlin").ok();
        Path file = Files.writeString(dir.resolve("blocks.csv"), """
                instructor,kind,start_at,end_at,rrule,reason,exdate
                %1$s,unavailable,2027-06-02T08:00,2027-06-02T09:00,FREQ=DAILY;COUNT=5,standup,"2027-06-03T08:00,2027-06-05T08:00"
                %1$s,available,2027-06-05T10:00,2027-06-05T12:00,FREQ=WEEKLY;COUNT=2,saturday,
                """.formatted(other));
        school.cli().run("availability", "import", file.toString()).ok();
        // Berlin is UTC+2 in June.
        assertEquals(List.of("2027-06-02T06:00Z", "2027-06-04T06:00Z", "2027-06-06T06:00Z"), occurrences("standup"));

        String exported = school.cli().run("availability", "export", other).ok().stdout();
        assertTrue(exported.lines().findFirst().orElseThrow().endsWith(",exdate"), exported);
        assertTrue(exported.contains("\"2027-06-03T08:00+02:00,2027-06-05T08:00+02:00\""), exported);
        // The export imports back as the same blocks (nothing new: the same block already exists).
        school.cli().run("availability", "unblock", String.valueOf(school.count(
                "SELECT b.id FROM time_blocks b WHERE b.reason = 'standup'"))).ok();
        school.cli().run("availability", "import", Files.writeString(dir.resolve("export.csv"), exported).toString()).ok();
        assertEquals(List.of("2027-06-02T06:00Z", "2027-06-04T06:00Z", "2027-06-06T06:00Z"), occurrences("standup"));

        long before = school.count("SELECT count(*) FROM time_blocks");
        Path noRule = Files.writeString(dir.resolve("norule.csv"), """
                instructor,kind,start_at,end_at,rrule,exdate
                %1$s,unavailable,2027-07-01T08:00,2027-07-01T09:00,,2027-07-01T08:00
                """.formatted(other));
        assertRowError(school.cli().run("availability", "import", noRule.toString()), "norule.csv:2: exdate leaves out occurrences");
        Path noOccurrence = Files.writeString(dir.resolve("nooccurrence.csv"), """
                instructor,kind,start_at,end_at,rrule,exdate
                %1$s,unavailable,2027-07-01T08:00,2027-07-01T09:00,FREQ=DAILY;COUNT=3,2027-07-09T08:00
                """.formatted(other));
        assertRowError(school.cli().run("availability", "import", noOccurrence.toString()), "nooccurrence.csv:2: exdate 2027-07-09T08:00 (Europe/Berlin) is not the start of an occurrence");
        assertEquals(before, school.count("SELECT count(*) FROM time_blocks"), "a refused file writes nothing");
    }
}
