package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.domain.InvalidInputException;

/** The file and terminal side of issue 12, below the CLI: OutputFile, the shell history, HTML and JSON escaping. */
class OutputSafetyTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws Exception {
        Path target = Files.writeString(dir.resolve("report.csv"), "old report");
        assertThrows(InvalidInputException.class, () -> OutputFile.write(target, "x.csv", false, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("old report", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void aDirectoryIsWrittenIntoUnderASafeDefaultName() throws Exception {
        Path written = OutputFile.write(dir, "../../.bashrc", true, out -> out.write('x'));
        assertEquals(dir.resolve("_.._.bashrc"), written, "one visible file inside the directory");
        assertTrue(Files.isDirectory(dir));
        assertEquals("a_b", OutputFile.safeName("a\u001bb"));
        assertEquals("schedctl-output", OutputFile.safeName(".."));
    }

    @Test
    void aSharedReportKeepsTheModeOfTheFileItReplaces() throws Exception {
        Path target = Files.writeString(dir.resolve("r.html"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-r--"));
        OutputFile.write(target, "r.html", false, out -> out.write('n'));
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Path fresh = OutputFile.write(dir.resolve("new.csv"), "new.csv", false, out -> out.write('n'));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
    }

    @Test
    void theShellHistoryIsCreatedPrivateAndAnOpenOneIsTightened() throws Exception {
        Path home = dir.resolve("home");
        Path history = ShellCommand.privateHistoryFile(home);
        assertEquals(home.resolve("history"), history);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));

        Path other = Files.createDirectory(dir.resolve("other"));
        Path open = Files.writeString(other.resolve("history"), "book --notes secret\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        ShellCommand.privateHistoryFile(other);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(open)));
        assertEquals("book --notes secret\n", Files.readString(open), "the history itself is kept");
    }

    @Test
    void htmlAndJsonNeutraliseControlCharactersLikeTablesAndCsv() throws Exception {
        String hostile = "Ada\u001b]0;pwned\u0007 \u009b2J \u202eevil";
        StringWriter html = new StringWriter();
        HtmlReport.write(new PrintWriter(html), java.time.LocalDate.of(2027, 1, 1), java.time.LocalDate.of(2027, 1, 1),
                org.schedctl.domain.analytics.ReportGrain.parse("day"),
                List.of(new org.schedctl.domain.analytics.ReportRow("2027-01-01", hostile, 1, 1, 0, 0, java.math.BigDecimal.ONE,
                        java.math.BigDecimal.TEN, java.math.BigDecimal.ZERO, "EUR", 0, 60, 60)));
        assertNoRawControls(html.toString());
        assertTrue(html.toString().contains("\\u001b]0;pwned\\u0007"), html.toString());

        StringWriter json = new StringWriter();
        new Output(new PrintWriter(json), OutputFormat.json, ZoneOffset.UTC).print(Map.of("name", hostile, "del", "a\u007fb"));
        assertNoRawControls(json.toString());
        assertFalse(json.toString().contains("\u202e"), json.toString());
        assertEquals(hostile, Output.mapper(ZoneOffset.UTC).readTree(json.toString()).get("name").asText(), "same value, escaped");

        StringWriter csv = new StringWriter();
        new Output(new PrintWriter(csv), OutputFormat.csv, ZoneOffset.UTC).print(Map.of("notes", hostile + "\nline two"));
        assertNoRawControls(csv.toString());
        assertTrue(csv.toString().contains("\nline two"), "CSV keeps line breaks inside the quoted cell: " + csv);
    }

    private static void assertNoRawControls(String output) {
        for (char c : output.toCharArray()) {
            boolean layout = c == '\n' || c == '\r' || c == '\t';
            assertFalse(Character.isISOControl(c) && !layout, "raw control character U+" + Integer.toHexString(c) + " in: " + output);
        }
    }
}
