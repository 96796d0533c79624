package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Issue 13: a weekly range could not reach midnight (`--to` stopped at 23:59, so an evening ending at midnight lost
 * its last minute and its last full slot). `--to 24:00` and `end_time` 24:00 in the CSV end a range at midnight:
 * stored as PostgreSQL's time '24:00', printed and exported as 24:00, and the last slot ends at midnight.
 */
class AvailabilityMidnightIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static CliDriver cli() {
        return db.cli().withClock(Clock.fixed(Instant.parse("2027-06-01T12:00:00Z"), ZoneOffset.UTC));
    }

    static List<String> slotStarts(String email, String type, String day) {
        List<String> starts = new ArrayList<>();
        for (JsonNode slot : cli().run("-o", "json", "availability", "slots", "--instructor", email, "--type", type, "--from", day, "--to", day).ok().json()) {
            starts.add(slot.get("start").asText());
        }
        return starts;
    }

    @Test
    void aWeeklyRangeEndsAtMidnightWithTwentyFourHundred() throws Exception {
        String owl = "owl@example.org";
        cli().run("user", "add", "--name", "Owl", "--email", owl, "--role", "instructor", "--tz", "America/New_York").ok();
        cli().run("type", "add", "--instructor", owl, "--name", "Late lesson", "--slug", "late", "--duration", "1h").ok();
        JsonNode rule = cli().run("-o", "json", "availability", "set", owl, "--day", "FRI", "--from", "21:00", "--to", "24:00").ok().json();
        assertEquals("24:00", rule.get("end_time").asText(), rule.toString());
        assertEquals("24:00:00", db.database().inTransaction(h -> h.createQuery(
                "SELECT end_time::text FROM instructor_availability a JOIN users u ON u.id = a.instructor_id WHERE u.email = :e")
                .bind("e", owl).mapTo(String.class).one()));
        // Friday 2027-06-04: 21:00, 22:00 and 23:00 EDT; the last one ends at midnight.
        assertEquals(List.of("2027-06-04T21:00:00-04:00", "2027-06-04T22:00:00-04:00", "2027-06-04T23:00:00-04:00"), slotStarts(owl, "late", "2027-06-04"));
        assertTrue(cli().run("availability", "list", owl).ok().stdout().contains("24:00"));
        // A range that touches it merges into it; the end stays midnight.
        cli().run("availability", "set", owl, "--day", "FRI", "--from", "19:00", "--to", "21:00").ok();
        String exported = cli().run("availability", "export", owl).ok().stdout();
        assertTrue(exported.contains(",FRI,19:00,24:00,America/New_York,"), exported);

        // The CSV reads 24:00 as the end of the day, and the export imports back.
        String lark = "lark@example.org";
        cli().run("user", "add", "--name", "Lark", "--email", lark, "--role", "instructor", "--tz", "Europe/Berlin").ok();
        cli().run("type", "add", "--instructor", lark, "--name", "Lesson", "--slug", "lark-lesson", "--duration", "30m").ok();
        Path file = Files.writeString(dir.resolve("late.csv"), "instructor,kind,day,start_time,end_time\n" + lark + ",weekly,SAT,23:00,24:00\n");
        cli().run("availability", "import", file.toString()).ok();
        assertEquals(List.of("2027-06-05T23:00:00+02:00", "2027-06-05T23:30:00+02:00"), slotStarts(lark, "lark-lesson", "2027-06-05"));
        cli().run("availability", "import", Files.writeString(dir.resolve("owl.csv"), exported).toString(), "--replace").ok();
        assertTrue(cli().run("availability", "export", owl).ok().stdout().contains(",FRI,19:00,24:00,"));

        assertError(cli().run("availability", "set", owl, "--day", "SAT", "--from", "22:00", "--to", "24:30"), 2, "24:00 for a range that ends at midnight");
        assertError(cli().run("availability", "set", owl, "--day", "SAT", "--from", "24:00", "--to", "24:00"), 2, "--from '24:00'");
    }
}
