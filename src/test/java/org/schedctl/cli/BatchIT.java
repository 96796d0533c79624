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

/** Issue 14: `schedctl batch` runs one command per line in one process, with per-line status and --stop-on-error. */
class BatchIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    @TempDir
    static Path dir;

    static final String SCRIPT = """
            # people for the batch test
            user add --name "Batch Ann" --email batch-ann@example.org
            user show nobody@example.org
            user add --name 'Batch Bob' --email batch-bob@example.org

            user list --role student -o csv --columns email
            """;

    @Test
    void runsEveryLineAndReportsTheFailingOnes() {
        CliDriver.Result r = db.cli().runWithInput(SCRIPT, "batch").expect(4);
        assertTrue(r.stdout().contains("batch-ann@example.org") && r.stdout().contains("batch-bob@example.org"), r.toString());
        assertTrue(r.stderr().contains("stdin:3: exit 4"), r.toString());
        assertTrue(r.stderr().contains("1 of 4 commands failed"), r.toString());
    }

    @Test
    void stopOnErrorStopsAtTheFirstFailure() throws Exception {
        Path file = dir.resolve("people.schedctl");
        Files.writeString(file, SCRIPT.replace("batch-", "stop-"));
        CliDriver.Result r = db.cli().run("batch", "-f", file.toString(), "--stop-on-error").expect(4);
        assertTrue(r.stdout().contains("stop-ann@example.org"), r.toString());
        assertFalse(r.stdout().contains("stop-bob@example.org"), r.toString());
        assertTrue(r.stderr().contains(file + ":3: exit 4"), r.toString());
        assertEquals(2, db.cli().run("batch", "-f", dir.resolve("missing").toString()).expect(2).exitCode());
    }
}
