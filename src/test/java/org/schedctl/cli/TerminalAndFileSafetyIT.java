package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Issue 12's CLI findings: {@code -f DIR} replaced an existing directory with a file (or failed with "cannot write
 * X (X)"), and notes holding ESC/BEL reached a terminal raw through {@code -o csv}.
 */
class TerminalAndFileSafetyIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** An OSC title-setting sequence ending in BEL, and a C1 CSI (U+009B) clearing the screen. */
    static final String HOSTILE_NOTES = "\u001b]0;pwned\u0007 and \u009b2J here";

    @TempDir
    static Path dir;

    static BookingFixture school;
    static String ann;
    static String ref;
    static String attachmentId;
    static CliDriver asAnn;

    @BeforeAll
    static void book() {
        school = new BookingFixture(db, "tfs");
        ann = school.student("ann");
        String lesson = school.type("lesson", "--duration", "30m");
        asAnn = school.cli().withEnv("SCHEDCTL_USER", ann);
        ref = asAnn.run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T10:00", "--notes", HOSTILE_NOTES).ok().json().get("reference").asText();
        attachmentId = asAnn.runWithInput("lesson plan\n", "-o", "json", "attachments", "add", ref, "-", "--name", "plan.txt")
                .ok().json().get("id").asText();
    }

    private static void assertNoRawControls(String output) {
        for (char c : output.toCharArray()) {
            boolean layout = c == '\n' || c == '\r' || c == '\t';
            assertFalse(Character.isISOControl(c) && !layout,
                    "raw control character U+" + Integer.toHexString(c) + " in output: " + output);
        }
    }

    @Test
    void notesWithTerminalEscapesAreNeutralisedInEveryFormat() throws Exception {
        for (String format : new String[] {"csv", "table", "json"}) {
            String out = asAnn.run("-o", format, "appointments", "show", ref).ok().stdout();
            assertNoRawControls(out);
            assertTrue(out.contains("pwned"), format + " still shows the text: " + out);
        }
        String csv = asAnn.run("export", "csv", "--student", ann).ok().stdout();
        assertNoRawControls(csv);
        assertTrue(csv.contains("\\u001b]0;pwned\\u0007"), "visible escapes in CSV: " + csv);
        // JSON keeps the same string value, only escaped.
        String json = asAnn.run("-o", "json", "appointments", "show", ref).ok().stdout();
        assertEquals(HOSTILE_NOTES, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("notes").asText());
    }

    @Test
    void anExistingEmptyDirectoryIsWrittenIntoNotReplaced() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        asAnn.run("attachments", "get", attachmentId, "-f", empty.toString()).ok();
        assertTrue(Files.isDirectory(empty), "the directory is still a directory");
        assertEquals("lesson plan\n", Files.readString(empty.resolve("plan.txt")));

        Path exports = Files.createDirectory(dir.resolve("exports"));
        asAnn.run("export", "ics", "--student", ann, "-f", exports.toString()).ok();
        assertTrue(Files.isDirectory(exports));
        assertTrue(Files.readString(exports.resolve("appointments.ics")).contains("BEGIN:VCALENDAR"));
    }

    @Test
    void aNonEmptyDirectoryIsWrittenIntoAndItsFilesKept() throws Exception {
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        asAnn.run("export", "ics", "--student", ann, "-f", full.toString()).ok();
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
        assertTrue(Files.readString(full.resolve("appointments.ics")).contains("BEGIN:VCALENDAR"));
    }

    @Test
    void aSymbolicLinkIsRefusedAndItsTargetUntouched() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve("link.ics"), victim);
        assertError(asAnn.run("export", "ics", "--student", ann, "-f", link.toString()), 2, "symbolic link");
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void secretOutputIsPrivateAndAReplacedFileIsReplacedWhole() throws Exception {
        Path out = dir.resolve("plan-copy.txt");
        Files.writeString(out, "an older and much longer content that must not survive as a tail");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        asAnn.run("attachments", "get", attachmentId, "-f", out.toString()).ok();
        assertArrayEquals("lesson plan\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out, LinkOption.NOFOLLOW_LINKS)));
        Path ics = dir.resolve("mine.ics");
        asAnn.run("export", "ics", "--student", ann, "-f", ics.toString()).ok();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ics)));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary file left");
        }
    }
}
