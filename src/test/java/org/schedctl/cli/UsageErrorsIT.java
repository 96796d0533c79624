package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Issue 14, help that teaches and errors that say what to do: did-you-mean for commands and options, conversion
 * errors without Java class names, `help CMD`, `import ics` of a missing file exits 2 like the other readers, and
 * `availability import` reports bad rows and unknown instructors in one pass.
 */
class UsageErrorsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    @TempDir
    static Path dir;

    private static String oneLine(CliDriver.Result r) {
        assertEquals("", r.stdout(), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        assertFalse(r.stderr().matches("(?s).*\\b(org|java)\\.[a-z]+\\..*"), "no Java class names: " + r);
        return r.stderr();
    }

    @Test
    void mistypedCommandsAndOptionsGetSuggestions() {
        CliDriver cli = db.cli();
        String command = oneLine(cli.run("usr", "list").expect(2));
        assertTrue(command.contains("unknown command 'usr'") && command.contains("did you mean 'user'?"), command);
        String option = oneLine(cli.run("user", "list", "--rol", "admin").expect(2));
        assertTrue(option.contains("did you mean '--role'?"), option);
    }

    @Test
    void conversionErrorsAreOneLineWithoutClassNames() {
        String duration = oneLine(db.cli().run("type", "add", "--instructor", "x@example.org", "--name", "X", "--duration", "-5m").expect(2));
        assertTrue(duration.contains("'--duration'") && duration.contains("positive duration"), duration);
        String number = oneLine(db.cli().run("type", "add", "--instructor", "x@example.org", "--name", "X", "--duration", "5m",
                "--capacity", "many").expect(2));
        assertTrue(number.contains("'--capacity'"), number);
    }

    @Test
    void helpForACommandAndNoPicocliWarnings() {
        CliDriver.Result help = db.cli().run("help", "user").ok();
        assertTrue(help.stdout().contains("Usage: schedctl user") && help.stdout().contains("Examples:"), help.toString());
        CliDriver.Result typeAdd = db.cli().run("type", "add", "--help").ok();
        assertFalse(typeAdd.stdout().contains("WARN") || typeAdd.stderr().contains("WARN"), typeAdd.toString());
        assertTrue(typeAdd.stdout().contains("free>=24h,50%>=2h,100%"), typeAdd.toString());
    }

    @Test
    void importIcsOfAMissingFileIsAUsageError() {
        db.cli().run("user", "add", "--name", "Ics Teacher", "--email", "ics@example.org", "--role", "instructor").ok();
        String missing = oneLine(db.cli().run("import", "ics", "--instructor", "ics@example.org",
                dir.resolve("missing.ics").toString()).expect(2));
        assertTrue(missing.contains("missing.ics"), missing);
    }

    @Test
    void availabilityImportReportsBadRowsAndUnknownInstructorsInOnePass() throws Exception {
        db.cli().run("user", "add", "--name", "Csv Teacher", "--email", "csv@example.org", "--role", "instructor").ok();
        Path csv = dir.resolve("availability.csv");
        Files.writeString(csv, "instructor,kind,day,start_time,end_time,timezone,effective_from,effective_until,type,start_at,end_at,rrule,reason\n"
                + "csv@example.org,weekly,XYZ,09:00,12:00,,,,,,,,\n"
                + "csv@example.org,weekly,MON,25:00,26:00,,,,,,,,\n"
                + "nobody@example.org,weekly,TUE,09:00,12:00,,,,,,,,\n");
        CliDriver.Result r = db.cli().run("availability", "import", csv.toString()).expect(2);
        String err = r.stderr();
        assertTrue(err.contains(csv + ":2: "), r.toString());
        assertTrue(err.contains(csv + ":3: "), r.toString());
        assertTrue(err.contains(csv + ":4: ") && err.contains("unknown instructor 'nobody@example.org'"), r.toString());
    }
}
