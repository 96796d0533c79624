package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

class ShellIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void runsOneCommandPerLineOnOneConnectionAndReportsErrors() {
        Result r = db.cli().runWithInput("""
                user add --name "Eve Q" --email eve@example.org --role instructor
                # a comment
                user show eve@example.org -o json
                user show nobody@example.org
                exit
                user list
                """, "shell");
        assertEquals(4, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("\"name\" : \"Eve Q\""), r.toString());
        assertTrue(r.stderr().contains("schedctl: error: user 'nobody@example.org' not found"), r.toString());
        assertEquals(1, r.stdout().split("\"email\" : \"eve@example.org\"", -1).length - 1, "nothing after exit: " + r);
    }
}
