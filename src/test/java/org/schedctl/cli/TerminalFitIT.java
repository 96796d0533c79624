package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;
import org.schedctl.test.Tmux;

/**
 * Issue 14, output that fits: at an 80x24 terminal (tmux) every list fits 80 columns, long values end in an
 * ellipsis, headers and status words are coloured unless NO_COLOR; piped, nothing is cut and nothing is coloured;
 * an empty list says so on stderr.
 */
class TerminalFitIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static Tmux tmux;
    static BookingFixture f;

    static final List<String> LISTS = List.of("user list", "instructor list", "type list", "appointments list",
            "audit list", "notifications list", "waitlist list", "analytics report --from 2027-06-01 --to 2027-06-30");

    @BeforeAll
    static void school() {
        tmux = new Tmux(80, 24);
        f = new BookingFixture(db, "fit-with-a-rather-long-prefix");
        String student = "maximiliane.josephine.hohenzollern@example.org";
        f.cli().run("user", "add", "--name", "Maximiliane-Josephine von Hohenzollern-Sigmaringen", "--email", student).ok();
        String type = f.type("introductory-conversation-lesson", "--duration", "45m", "--description",
                "A long description that would never fit in a column of an eighty-character terminal window", "--price", "40",
                "--currency", "EUR");
        f.cli().run("book", "--instructor", f.instructor, "--type", type, "--student", student, "--at", "2027-06-03T10:30",
                "--notes", "Please bring the sheet music for the second movement and the metronome").ok();
        f.cli().run("analytics", "aggregate", "--from", "2027-06-01", "--to", "2027-06-30").ok();
    }

    @AfterAll
    static void stop() {
        if (tmux != null) {
            tmux.close();
        }
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>(db.env());
        env.put("TERM", "xterm-256color");
        env.put("PATH", System.getenv("PATH"));
        env.remove("COLUMNS");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    @Test
    void everyListFitsAnEightyColumnTerminal() {
        for (String list : LISTS) {
            String screen = tmux.run(Tmux.schedctl() + " " + list, env(), false, Duration.ofSeconds(60));
            assertFalse(screen.contains("error"), list + ":\n" + screen);
            for (String line : screen.split("\n")) {
                assertTrue(line.codePointCount(0, line.length()) <= 80, list + " is wider than 80 columns:\n" + screen);
            }
        }
        String appointments = tmux.run(Tmux.schedctl() + " appointments list", env(), false, Duration.ofSeconds(60));
        assertTrue(appointments.contains("REFERENCE") && appointments.contains("2027-06-03 14:30"), appointments);
        assertTrue(appointments.contains("\u2026"), "long emails are cut with an ellipsis on a terminal:\n" + appointments);
    }

    @Test
    void colourOnATerminalOnlyAndNeverWithNoColor() {
        String coloured = tmux.run(Tmux.schedctl() + " appointments list", env(), true, Duration.ofSeconds(60));
        assertTrue(coloured.contains("\u001b["), coloured);
        String plain = tmux.run(Tmux.schedctl() + " appointments list", env("NO_COLOR", "1"), true, Duration.ofSeconds(60));
        assertFalse(plain.contains("\u001b["), plain);
        String flag = tmux.run(Tmux.schedctl() + " appointments list --no-color", env(), true, Duration.ofSeconds(60));
        assertFalse(flag.contains("\u001b["), flag);
        String piped = tmux.run(Tmux.schedctl() + " appointments list | cat", env(), true, Duration.ofSeconds(60));
        assertFalse(piped.contains("\u001b["), piped);
        assertFalse(piped.contains("\u2026"), "nothing is cut when piped:\n" + piped);
    }

    @Test
    void pipedTablesAreWholeAndWideAndColumnsChoose() {
        CliDriver cli = f.cli();
        String table = cli.run("appointments", "list").ok().stdout();
        assertTrue(table.contains(f.instructor), table);
        assertFalse(table.contains("NOTES"), "notes only with -o wide: " + table);
        assertTrue(cli.run("appointments", "list", "-o", "wide").ok().stdout().contains("Please bring the sheet music"));
        String chosen = cli.run("appointments", "list", "--columns", "status,reference").ok().stdout();
        assertTrue(chosen.startsWith("STATUS     REFERENCE"), chosen);
        CliDriver.Result unknown = cli.run("appointments", "list", "--columns", "status,colour").expect(2);
        assertTrue(unknown.stderr().contains("colour") && unknown.stderr().contains("reference"), unknown.toString());
        assertEquals("", unknown.stdout());
        // JSON and CSV are unchanged by the table's layout; a repeated -o is allowed, the last wins.
        String csv = cli.run("-o", "json", "appointments", "list", "-o", "csv").ok().stdout();
        assertTrue(csv.startsWith("reference,status,instructor,student,type,start,end,"), csv);
    }

    @Test
    void progressOnlyWhenStderrIsATerminal(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path log = dir.resolve("log");
        String onTerminal = tmux.run(Tmux.schedctl() + " export csv > " + dir.resolve("a.csv"), env(), false, Duration.ofSeconds(60));
        assertTrue(onTerminal.contains("export csv") && onTerminal.contains("rows"), onTerminal);
        tmux.run(Tmux.schedctl() + " export csv > " + dir.resolve("b.csv") + " 2> " + log, env(), false, Duration.ofSeconds(60));
        assertEquals("", java.nio.file.Files.readString(log));
        assertTrue(java.nio.file.Files.readString(dir.resolve("b.csv")).startsWith("reference,"));
    }

    @Test
    void anEmptyListSaysSoOnStderr() {
        CliDriver.Result none = f.cli().run("appointments", "list", "--status", "cancelled").ok();
        assertEquals("", none.stdout());
        assertEquals("No appointments found.\n", none.stderr());
        assertTrue(f.cli().run("-o", "json", "appointments", "list", "--status", "cancelled").ok().json().isEmpty());
    }
}
